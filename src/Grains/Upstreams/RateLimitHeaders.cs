using System.Globalization;
using System.Net.Http.Headers;
using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Reads OpenAI's <c>x-ratelimit-*</c> and <c>retry-after</c> headers. An upstream is not trusted
/// with absurd values: a wait is capped at <see cref="MaxWait"/>, negative counts are ignored, and
/// nothing it sends can make reading throw.
/// </summary>
public static class RateLimitHeaders
{
    /// <summary>The longest an upstream can make an account wait with one answer (a daily limit resets within it).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

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
            return millis >= MaxWait.TotalMilliseconds ? MaxWait : TimeSpan.FromMilliseconds(millis);
        }

        RetryConditionHeaderValue? retryAfter;
        try
        {
            retryAfter = headers.RetryAfter;
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            return null;
        }

        var wait = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => (TimeSpan?)null,
        };
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, MaxWait.Ticks)) : null;
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

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                || !double.IsFinite(value))
            {
                return null;
            }

            span = span[digits..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength]))
            {
                unitLength++;
            }

            double? seconds = span[..unitLength] switch
            {
                "ms" => value / 1000,
                "s" or "" => value,
                "m" => value * 60,
                "h" => value * 3600,
                _ => null,
            };
            if (seconds is null)
            {
                return null;
            }

            total = seconds.Value >= (MaxWait - total).TotalSeconds ? MaxWait : total + TimeSpan.FromSeconds(seconds.Value);
            parsedAny = true;
            span = span[unitLength..];
        }

        return parsedAny ? total : null;
    }

    private static int? Int(HttpResponseHeaders headers, string name) =>
        First(headers, name) is { } value && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            && number >= 0
            ? number
            : null;

    private static TimeSpan? Duration(HttpResponseHeaders headers, string name) => ParseDuration(First(headers, name));

    private static string? First(HttpResponseHeaders headers, string name)
    {
        try
        {
            return headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
