namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>The two per-key limits.</summary>
internal enum RateLimitBucket
{
    Requests,
    Images,
}
