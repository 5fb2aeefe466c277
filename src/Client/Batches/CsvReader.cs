using System.Text;

namespace ImageOrleans.Client.Batches;

/// <summary>Reads RFC 4180 CSV (quoted fields, doubled quotes, line breaks inside quotes), keeping each row's first line number.</summary>
internal static class CsvReader
{
    public sealed record Row(int Line, List<string> Fields);

    public static List<Row> Read(string content)
    {
        var rows = new List<Row>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var line = 1;
        var rowLine = 1;
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < content.Length && content[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add(new Row(rowLine, fields));
                fields = [];
                line++;
                rowLine = line;
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException($"line {rowLine}: a quoted field is not closed");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString().TrimEnd('\r'));
            rows.Add(new Row(rowLine, fields));
        }

        return rows;
    }
}
