namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>Both buckets of a key at one instant.</summary>
internal readonly record struct RateLimitStatus(BucketStatus Requests, BucketStatus Images);
