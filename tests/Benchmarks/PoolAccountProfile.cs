namespace ImageOrleans.Benchmarks;

/// <summary>One upstream account of a benchmark pool: its configured limit, how slow it is, and how it misbehaves.</summary>
public sealed record PoolAccountProfile(int ImagesPerMinute, double LatencyMs, double FailureRate = 0, double TrueLimitFactor = 1.0, bool AdvertiseLimits = true)
{
    /// <summary>What the upstream really allows: floor(configured × factor), at least 1.</summary>
    public int TrueImagesPerMinute => (int)Math.Max(1, Math.Floor(ImagesPerMinute * TrueLimitFactor));

    /// <summary>What the upstream can really serve: its true limit, less the share of calls it fails.</summary>
    public double ServableImagesPerMinute => TrueImagesPerMinute * (1 - FailureRate);

    /// <summary>
    /// The heterogeneous mix: limits from 6 to 600 images/min, latencies from 2 to 60 s, one account
    /// that fails 20 % of its calls and one whose real limit is half its configured one and says nothing about it.
    /// </summary>
    public static IReadOnlyList<PoolAccountProfile> Heterogeneous { get; } =
    [
        new(6, 2_000),
        new(30, 5_000),
        new(60, 10_000),
        new(120, 60_000),
        new(300, 3_000),
        new(600, 2_000),
        new(120, 4_000, FailureRate: 0.2),
        new(240, 6_000, TrueLimitFactor: 0.5, AdvertiseLimits: false),
    ];
}
