namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// A continuously refilling token bucket. Refill is computed lazily from the time passed in on each
/// call, so there is no timer and the arithmetic is exact under a fake clock.
/// </summary>
public sealed class TokenBucket
{
    // Floating point drift must never turn "exactly enough" into "not enough".
    private const double Epsilon = 1e-9;

    private double _tokens;
    private DateTimeOffset _updatedAt;

    public TokenBucket(double capacity, double ratePerSecond, DateTimeOffset now, double? initialTokens = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        Capacity = capacity;
        RatePerSecond = ratePerSecond;
        _tokens = Math.Clamp(initialTokens ?? capacity, 0, capacity);
        _updatedAt = now;
    }

    public double Capacity { get; private set; }

    public double RatePerSecond { get; private set; }

    public double Available(DateTimeOffset now)
    {
        Refill(now);
        return _tokens;
    }

    public bool CanTake(double amount, DateTimeOffset now)
    {
        Refill(now);
        return _tokens + Epsilon >= amount;
    }

    public bool TryTake(double amount, DateTimeOffset now)
    {
        if (!CanTake(amount, now))
        {
            return false;
        }

        _tokens = Math.Max(0, _tokens - amount);
        return true;
    }

    /// <summary>How long until <paramref name="amount"/> tokens are there; <see cref="TimeSpan.MaxValue"/> if never (more than capacity).</summary>
    public TimeSpan TimeUntil(double amount, DateTimeOffset now)
    {
        Refill(now);
        if (amount > Capacity + Epsilon)
        {
            return TimeSpan.MaxValue;
        }

        var deficit = amount - _tokens;
        return deficit <= Epsilon ? TimeSpan.Zero : TimeSpan.FromSeconds(deficit / RatePerSecond);
    }

    /// <summary>How long until the bucket is full again.</summary>
    public TimeSpan TimeUntilFull(DateTimeOffset now) => TimeUntil(Capacity, now);

    /// <summary>Gives back tokens that were taken for work that never reached the upstream.</summary>
    public void Refund(double amount, DateTimeOffset now)
    {
        Refill(now);
        _tokens = Math.Min(Capacity, _tokens + amount);
    }

    /// <summary>Lowers the level to at most <paramref name="tokens"/> (the upstream says fewer are left than we think).</summary>
    public void LimitTo(double tokens, DateTimeOffset now)
    {
        Refill(now);
        _tokens = Math.Clamp(tokens, 0, _tokens);
    }

    /// <summary>Changes capacity and rate, keeping the current level (capped at the new capacity).</summary>
    public void Reconfigure(double capacity, double ratePerSecond, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        Refill(now);
        Capacity = capacity;
        RatePerSecond = ratePerSecond;
        _tokens = Math.Min(_tokens, capacity);
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _updatedAt)
        {
            return;
        }

        _tokens = Math.Min(Capacity, _tokens + ((now - _updatedAt).TotalSeconds * RatePerSecond));
        _updatedAt = now;
    }
}
