using System.Globalization;

namespace ImageOrleans.Grains.Maintenance;

/// <summary>
/// Where an expiring row is indexed: a bucket per kind, per hour in which rows expire, per shard. A
/// bucket is swept once its hour is over, so a row is deleted within an hour and a sweep interval of
/// its expiry, and no sweep ever has to scan rows that are still alive.
/// </summary>
public static class ExpiryBuckets
{
    public const int Shards = 8;

    public static readonly TimeSpan Width = TimeSpan.FromHours(1);

    /// <summary>The bucket for a row of <paramref name="kind"/> keyed <paramref name="key"/> that expires at <paramref name="expiresAt"/>.</summary>
    public static string For(ExpiringKind kind, string key, DateTimeOffset expiresAt)
    {
        var end = EndOf(expiresAt);
        return string.Create(CultureInfo.InvariantCulture, $"{kind}/{end.ToUnixTimeSeconds()}/{Shard(key)}");
    }

    /// <summary>The end of the bucket hour holding <paramref name="expiresAt"/>: the first moment all its rows are expired.</summary>
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
