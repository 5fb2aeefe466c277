namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>One per-key limit, however it is counted. Not thread-safe: the owner locks.</summary>
internal interface IRateLimiter
{
    /// <summary>What the headers advertise as the limit: the per-minute figure.</summary>
    int Limit { get; }

    /// <summary>The most that can be taken at once: the limit for a bucket, its share for a short window.</summary>
    int Capacity { get; }

    /// <summary>
    /// Whether <paramref name="tokens"/> could be taken now, without taking them. When not,
    /// <paramref name="retryAfter"/> is the wait until they could, or <see cref="Timeout.InfiniteTimeSpan"/>
    /// when they never can.
    /// </summary>
    bool CanAcquire(int tokens, long timestamp, out TimeSpan retryAfter);

    /// <summary>Takes <paramref name="tokens"/>; the caller has checked <see cref="CanAcquire"/> at the same timestamp.</summary>
    void Acquire(int tokens, long timestamp);

    /// <summary>Whole tokens that could be taken now.</summary>
    int Remaining(long timestamp);

    /// <summary>How long until the full allowance is available again (what x-ratelimit-reset-* says).</summary>
    TimeSpan TimeUntilFull(long timestamp);

    void Refill();

    /// <summary>Changes the per-minute limit, keeping what was already used.</summary>
    void ChangeLimit(int limit, long timestamp);
}
