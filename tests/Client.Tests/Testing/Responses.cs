using System.Net;
using System.Text;

namespace ImageOrleans.Client.Tests.Testing;

/// <summary>Canned answers in the shapes the gateway sends.</summary>
public static class Responses
{
    public const long CreatedUnixSeconds = 1_700_000_000;

    public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage Text(HttpStatusCode status, string text, string mediaType = "text/plain") =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Bytes(byte[] bytes) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) };

    /// <summary>A successful images response carrying each image inline as <c>b64_json</c>.</summary>
    public static HttpResponseMessage Images(IEnumerable<byte[]> images, params (string Name, string Value)[] headers)
    {
        var data = string.Join(",", images.Select(image => $$"""{"b64_json":"{{Convert.ToBase64String(image)}}"}"""));
        return Json(HttpStatusCode.OK, $$"""{"created":{{CreatedUnixSeconds}},"data":[{{data}}]}""", headers);
    }

    /// <summary>An error in OpenAI's shape.</summary>
    public static HttpResponseMessage Error(
        HttpStatusCode status, string message, string type, string? code = null, string? param = null, params (string Name, string Value)[] headers)
    {
        static string JsonString(string? value) => value is null ? "null" : $"\"{value}\"";

        return Json(
            status,
            $$$"""{"error":{"message":{{{JsonString(message)}}},"type":{{{JsonString(type)}}},"param":{{{JsonString(param)}}},"code":{{{JsonString(code)}}}}}""",
            headers);
    }
}
