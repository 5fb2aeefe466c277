namespace ImageOrleans.Silo.Api;

/// <summary>Every response carries <c>x-request-id</c>: the client's own when it sent a sane one, else a new one.</summary>
public static class RequestIds
{
    public const string Header = "x-request-id";

    public static string Ensure(HttpContext context)
    {
        var given = context.Request.Headers[Header].ToString();
        var id = IsAcceptable(given) ? given : "req_" + Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[Header] = id;
        return id;
    }

    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
