namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>What the x-ratelimit-*-{bucket} headers advertise.</summary>
internal readonly record struct BucketStatus(int Limit, int Remaining, TimeSpan ResetAfter);
