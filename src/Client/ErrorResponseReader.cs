using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ImageOrleans.Client;

/// <summary>Turns a failed HTTP answer into an <see cref="ImageOrleansException"/>, whatever shape its body has.</summary>
internal static class ErrorResponseReader
{
    // Proxies in front of the gateway answer with whole HTML pages; the start is enough to recognise one.
    private const int MaxFallbackMessageLength = 500;

    public static async Task<ImageOrleansException> ReadAsync(
        HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return Parse((int)response.StatusCode, response.ReasonPhrase, body, ReadRetryAfter(response, timeProvider));
    }

    public static ImageOrleansException Parse(int statusCode, string? reasonPhrase, string body, TimeSpan? retryAfter)
    {
        if (TryParseJson(body, out var error))
        {
            return new ImageOrleansException(
                statusCode,
                string.IsNullOrWhiteSpace(error.Message) ? DescribeStatus(statusCode, reasonPhrase) : error.Message,
                error.Type,
                error.Code,
                error.Param,
                retryAfter);
        }

        var text = CollapseWhitespace(body);
        var message = text.Length == 0
            ? DescribeStatus(statusCode, reasonPhrase)
            : text.Length > MaxFallbackMessageLength ? string.Concat(text.AsSpan(0, MaxFallbackMessageLength), "…") : text;
        return new ImageOrleansException(statusCode, message, retryAfter: retryAfter);
    }

    public static TimeSpan? ReadRetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        // OpenAI's own finer-grained hint wins over the standard header, as in OpenAI's SDKs.
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static bool TryParseJson(string body, out (string? Message, string? Type, string? Code, string? Param) error)
    {
        error = default;
        if (!body.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.TryGetProperty("error", out var inner))
            {
                if (inner.ValueKind == JsonValueKind.Object)
                {
                    error = (Text(inner, "message"), Text(inner, "type"), Text(inner, "code"), Text(inner, "param"));
                    return true;
                }

                if (inner.ValueKind == JsonValueKind.String)
                {
                    error = (inner.GetString(), null, null, null);
                    return true;
                }
            }

            // ASP.NET's problem details, for anything that fails before the gateway's own error mapping.
            var message = Text(root, "detail") ?? Text(root, "title") ?? Text(root, "message");
            if (message is not null)
            {
                error = (message, null, null, null);
                return true;
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // OpenAI sends some codes as numbers and most optional fields as explicit nulls.
    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static string DescribeStatus(int statusCode, string? reasonPhrase) =>
        string.IsNullOrWhiteSpace(reasonPhrase)
            ? string.Create(CultureInfo.InvariantCulture, $"The gateway answered with HTTP {statusCode}.")
            : string.Create(CultureInfo.InvariantCulture, $"The gateway answered with HTTP {statusCode} ({reasonPhrase}).");

    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var character in text)
        {
            if (char.IsWhiteSpace(character))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(character);
        }

        return builder.ToString();
    }
}
