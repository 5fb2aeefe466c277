namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>
/// The outcome of charging a request to a key's buckets. When refused, <see cref="Bucket"/> names the
/// bucket the 429 reports (Limit, Used, Requested are that bucket's) and <see cref="RetryAfter"/> is
/// the wait until both buckets would admit the request, or null when it exceeds a bucket's capacity.
/// </summary>
internal readonly record struct RateLimitDecision(
    bool Allowed,
    RateLimitBucket Bucket,
    int Limit,
    int Used,
    int Requested,
    TimeSpan? RetryAfter)
{
    public static RateLimitDecision Admitted { get; } = new(true, RateLimitBucket.Requests, 0, 0, 0, TimeSpan.Zero);
}
