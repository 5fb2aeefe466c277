namespace ImageOrleans.Benchmarks;

/// <summary>The simulator's counters over a benchmark run.</summary>
public sealed record UpstreamSamples(
    long ServedAtWarmup,
    long ServedAtEnd,
    long RateLimitedAtEnd,
    IReadOnlyList<(int Second, long Served, long RateLimited)> Timeline,
    (long Served, long RateLimited) AfterDrain);
