namespace ImageOrleans.Silo.Api;

/// <summary>
/// One cell of a CSV export that a spreadsheet will open: text that a spreadsheet would run as a
/// formula (it begins with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return) is
/// prefixed with a single quote (OWASP "CSV injection"), and a cell with a separator, quote or line
/// break is quoted with its quotes doubled (RFC 4180).
/// </summary>
public static class CsvCell
{
    public static string Of(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\n\r") < 0
            ? value
            : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
