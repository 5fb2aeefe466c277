namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// Reads from a 429's <c>x-ratelimit-*</c> headers whether the upstream counts its per-minute limit
/// over a shorter window (OpenAI may enforce 60 a minute as 1 a second) and how short.
/// </summary>
/// <remarks>
/// A limit counted as a bucket or over a minute is, once exhausted, full again only after most of a
/// minute, so its reset is long. A limit counted over windows of a few seconds is full again within
/// its window: an exhausted limit (remaining 0) whose reset is short is a window that was momentarily
/// full, not a pace above the limit.
/// </remarks>
public static class UpstreamWindow
{
    /// <summary>A reset at or above this says nothing about a short window.</summary>
    public static readonly TimeSpan ShortestMinuteReset = TimeSpan.FromSeconds(30);

    /// <summary>The whole seconds of the short window <paramref name="info"/> shows, or null when it shows none.</summary>
    public static int? ShortWindowSeconds(RateLimitInfo info)
    {
        var seconds = Seconds(info.RemainingRequests, info.ResetRequests);
        var images = Seconds(info.RemainingImages, info.ResetImages);
        return seconds is null ? images : images is null ? seconds : Math.Max(seconds.Value, images.Value);
    }

    /// <summary>What a per-minute limit allows in one window of <paramref name="seconds"/>: floor(limit × seconds / 60), at least 1.</summary>
    public static double PerWindow(double perMinute, int seconds) => Math.Max(1, Math.Floor((perMinute * seconds / 60.0) + 1e-9));

    private static int? Seconds(int? remaining, TimeSpan? reset) =>
        remaining is <= 0 && reset is { } after && after < ShortestMinuteReset
            ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds - 1e-9))
            : null;
}
