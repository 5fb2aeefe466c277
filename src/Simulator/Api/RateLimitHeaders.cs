using System.Globalization;
using ImageOrleans.Simulator.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace ImageOrleans.Simulator.Api;

/// <summary>Writes OpenAI's x-ratelimit-* headers for both buckets.</summary>
internal static class RateLimitHeaders
{
    public static void Write(IHeaderDictionary headers, RateLimitStatus status)
    {
        Write(headers, "requests", status.Requests);
        Write(headers, "images", status.Images);
    }

    private static void Write(IHeaderDictionary headers, string bucket, BucketStatus status)
    {
        headers["x-ratelimit-limit-" + bucket] = status.Limit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-" + bucket] = status.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-" + bucket] = OpenAiDuration.Format(status.ResetAfter);
    }
}
