using System.Globalization;
using System.Net.Http.Headers;
using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Reads OpenAI's <c>x-ratelimit-*</c> and <c>retry-after</c> headers.</summary>
public static class RateLimitHeaders
{
    public static RateLimitInfo Read(HttpResponseHeaders headers) => new()
    {
        LimitRequests = Int(headers, "x-ratelimit-limit-requests"),
        RemainingRequests = Int(headers, "x-ratelimit-remaining-requests"),
        ResetRequests = Duration(headers, "x-ratelimit-reset-requests"),
        LimitImages = Int(headers, "x-ratelimit-limit-images"),
        RemainingImages = Int(headers, "x-ratelimit-remaining-images"),
        ResetImages = Duration(headers, "x-ratelimit-reset-images"),
    };

    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (First(headers, "retry-after-ms") is { } ms
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        return headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
    }

    /// <summary>Parses OpenAI's durations such as "6s", "1m0s", "250ms", "1h2m3.5s".</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var total = TimeSpan.Zero;
        var span = text.AsSpan().Trim();
        var parsedAny = false;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            span = span[digits..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength]))
            {
                unitLength++;
            }

            TimeSpan? part = span[..unitLength] switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" or "" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => null,
            };
            if (part is null)
            {
                return null;
            }

            total += part.Value;
            parsedAny = true;
            span = span[unitLength..];
        }

        return parsedAny ? total : null;
    }

    private static int? Int(HttpResponseHeaders headers, string name) =>
        First(headers, name) is { } value && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    private static TimeSpan? Duration(HttpResponseHeaders headers, string name) => ParseDuration(First(headers, name));

    private static string? First(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
