using System.Globalization;

namespace ImageOrleans.Grains.Maintenance;

/// <summary>
/// Where an expiring row is indexed: a bucket per kind, per five minutes in which rows expire, per
/// shard. A bucket is swept once its window is over, so a row is deleted within five minutes and a
/// sweep interval of its expiry, and no sweep ever has to scan rows that are still alive.
/// </summary>
/// <remarks>
/// A bucket's keys are written whole each time it is flushed, and rows with one time to live all land
/// in the bucket of the current window: the window bounds how large a bucket grows while it takes new
/// keys. Hour-wide buckets grew to an hour of misses and were rewritten every few seconds (work
/// quadratic in the hour's traffic); five-minute ones take twelve times fewer keys each, for twelve
/// times more (small) registrations with the sweeper.
/// </remarks>
public static class ExpiryBuckets
{
    public const int Shards = 8;

    public static readonly TimeSpan Width = TimeSpan.FromMinutes(5);

    /// <summary>The bucket for a row of <paramref name="kind"/> keyed <paramref name="key"/> that expires at <paramref name="expiresAt"/>.</summary>
    public static string For(ExpiringKind kind, string key, DateTimeOffset expiresAt)
    {
        var end = EndOf(expiresAt);
        return string.Create(CultureInfo.InvariantCulture, $"{kind}/{end.ToUnixTimeSeconds()}/{Shard(key)}");
    }

    /// <summary>The end of the bucket window holding <paramref name="expiresAt"/>: the first moment all its rows are expired.</summary>
    public static DateTimeOffset EndOf(DateTimeOffset expiresAt)
    {
        var ticks = expiresAt.UtcTicks;
        var end = (ticks / Width.Ticks + 1) * Width.Ticks;
        return new DateTimeOffset(end, TimeSpan.Zero);
    }

    /// <summary>Reads a bucket key back.</summary>
    public static (ExpiringKind Kind, DateTimeOffset End) Parse(string bucket)
    {
        var parts = bucket.Split('/');
        return (Enum.Parse<ExpiringKind>(parts[0]), DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[1], CultureInfo.InvariantCulture)));
    }

    // FNV-1a: stable across processes, unlike string.GetHashCode.
    private static int Shard(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Shards);
    }
}
