namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// A token bucket's level at one moment, as a value: what the eligibility rule reads, whether from
/// the live bucket or from a cached snapshot projected forward. A capacity of 0 means unknown.
/// </summary>
public readonly record struct BucketLevel(double Tokens, double Capacity, double RatePerSecond)
{
    private const double Epsilon = 1e-9;

    public static BucketLevel Of(TokenBucket bucket, DateTimeOffset now) => new(bucket.Available(now), bucket.Capacity, bucket.RatePerSecond);

    public bool Known => Capacity > 0;

    /// <summary>The level <paramref name="elapsed"/> later, refilled at its rate.</summary>
    public BucketLevel After(TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero ? this : this with { Tokens = Math.Min(Capacity, Tokens + (elapsed.TotalSeconds * RatePerSecond)) };

    /// <summary>Time until <paramref name="amount"/> tokens are there; <see cref="TimeSpan.MaxValue"/> if never; zero when unknown.</summary>
    public TimeSpan TimeUntil(double amount)
    {
        if (!Known)
        {
            return TimeSpan.Zero;
        }

        if (amount > Capacity + Epsilon)
        {
            return TimeSpan.MaxValue;
        }

        var deficit = amount - Tokens;
        return deficit <= Epsilon || RatePerSecond <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(deficit / RatePerSecond);
    }
}
