using ImageOrleans.Grains.Accounts;
using System.Globalization;
using System.Text;
using ImageOrleans.Grains.ClientKeys;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// Writes a client key's own limits as OpenAI names them: <c>x-ratelimit-limit-requests</c>,
/// <c>x-ratelimit-remaining-requests</c>, <c>x-ratelimit-reset-requests</c> (e.g. "6m0s"), and the
/// same for images. A key without a limit of a kind gets no headers of that kind.
/// </summary>
public static class QuotaHeaderWriter
{
    public const string LimitRequests = "x-ratelimit-limit-requests";

    // Set once a quota was in hand for the response, headers or none: a key without limits has none to write.
    private static readonly object Taken = new();

    public static void Write(HttpResponse response, RateLimitInfo quota)
    {
        if (response.HasStarted)
        {
            return;
        }

        response.HttpContext.Items[Taken] = Taken;
        Write(response, "requests", quota.LimitRequests, quota.RemainingRequests, quota.ResetRequests);
        Write(response, "images", quota.LimitImages, quota.RemainingImages, quota.ResetImages);
    }

    /// <summary>
    /// Whether the key's quota was already applied to this response (written, or found to have no limits), so
    /// nobody need ask the key for it again.
    /// </summary>
    public static bool Written(HttpResponse response) =>
        response.HttpContext.Items.ContainsKey(Taken) || response.Headers.ContainsKey(LimitRequests) || response.Headers.ContainsKey("x-ratelimit-limit-images");

    /// <summary>A duration the way OpenAI writes it: "1s", "6m0s", "1h2m3s", "250ms".</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (int)Math.Ceiling(duration.TotalMilliseconds))}ms");
        }

        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        var text = new StringBuilder();
        if (seconds >= 3600)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds / 3600}h");
        }

        if (seconds >= 60)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds % 3600 / 60}m");
        }

        return text.Append(CultureInfo.InvariantCulture, $"{seconds % 60}s").ToString();
    }

    private static void Write(HttpResponse response, string kind, int? limit, int? remaining, TimeSpan? reset)
    {
        if (limit is not { } l)
        {
            return;
        }

        response.Headers["x-ratelimit-limit-" + kind] = l.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-remaining-" + kind] = Math.Max(0, remaining ?? 0).ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-reset-" + kind] = FormatDuration(reset ?? TimeSpan.Zero);
    }
}
