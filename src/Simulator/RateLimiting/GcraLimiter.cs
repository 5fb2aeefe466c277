using System.Diagnostics;

namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>
/// A per-minute limit enforced with the generic cell rate algorithm: a bucket of
/// <see cref="Limit"/> tokens refilled continuously at Limit/60 per second, starting full,
/// represented by one "theoretical arrival time". Not thread-safe: the owner locks.
/// </summary>
/// <remarks>
/// Time is measured in <see cref="TimeProvider.GetTimestamp"/> units scaled by the limit, so a
/// token costs exactly 60 × frequency units and the time base advances Limit units per timestamp
/// tick. All arithmetic is integral (Int128), which keeps "10 per minute, one more after 6 s" exact.
/// </remarks>
internal sealed class GcraLimiter : IRateLimiter
{
    private const int SecondsPerWindow = 60;

    private readonly long _frequency;
    private readonly Int128 _emissionInterval;
    private Int128 _theoreticalArrival = Int128.MinValue;

    public GcraLimiter(int limit, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(timestampFrequency, 1);
        Limit = limit;
        _frequency = timestampFrequency;
        _emissionInterval = (Int128)SecondsPerWindow * timestampFrequency;
    }

    /// <summary>The bucket's capacity, which is also the number of tokens refilled per minute.</summary>
    public int Limit { get; private set; }

    public int Capacity => Limit;

    private Int128 Full => _emissionInterval * Limit;

    /// <summary>
    /// Whether <paramref name="tokens"/> could be taken now, without taking them. When not,
    /// <paramref name="retryAfter"/> is the wait until they could, or <see cref="Timeout.InfiniteTimeSpan"/>
    /// when they exceed the capacity and never can.
    /// </summary>
    public bool CanAcquire(int tokens, long timestamp, out TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        if (tokens > Limit)
        {
            retryAfter = Timeout.InfiniteTimeSpan;
            return false;
        }

        var now = Scale(timestamp);
        var excess = Max(_theoreticalArrival, now) + (_emissionInterval * tokens) - Full - now;
        if (excess <= 0)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = ToTimeSpan(excess);
        return false;
    }

    /// <summary>Takes <paramref name="tokens"/>; the caller has checked <see cref="CanAcquire"/> at the same timestamp.</summary>
    public void Acquire(int tokens, long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        var now = Scale(timestamp);
        _theoreticalArrival = Max(_theoreticalArrival, now) + (_emissionInterval * tokens);
        Debug.Assert(_theoreticalArrival - now <= Full, "Acquire overdrew the bucket; call CanAcquire first.");
    }

    public bool TryAcquire(int tokens, long timestamp, out TimeSpan retryAfter)
    {
        if (!CanAcquire(tokens, timestamp, out retryAfter))
        {
            return false;
        }

        Acquire(tokens, timestamp);
        return true;
    }

    /// <summary>Whole tokens left now (rounded down).</summary>
    public int Remaining(long timestamp)
    {
        var now = Scale(timestamp);
        var available = (Full - (Max(_theoreticalArrival, now) - now)) / _emissionInterval;
        return (int)Int128.Clamp(available, 0, Limit);
    }

    /// <summary>How long until the bucket is full again.</summary>
    public TimeSpan TimeUntilFull(long timestamp)
    {
        var now = Scale(timestamp);
        return ToTimeSpan(Max(_theoreticalArrival, now) - now);
    }

    public void Refill() => _theoreticalArrival = Int128.MinValue;

    /// <summary>Changes the capacity, keeping the tokens already owed (at most the new capacity).</summary>
    public void ChangeLimit(int limit, long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (limit == Limit)
        {
            return;
        }

        // The owed amount, measured in token costs, does not depend on the time scale. Compare before
        // subtracting: a full bucket's arrival time is Int128.MinValue and the difference would wrap.
        var now = Scale(timestamp);
        var owed = _theoreticalArrival > now ? _theoreticalArrival - now : 0;
        Limit = limit;
        _theoreticalArrival = owed == 0 ? Int128.MinValue : Scale(timestamp) + Int128.Min(owed, Full);
    }

    private static Int128 Max(Int128 a, Int128 b) => a > b ? a : b;

    private Int128 Scale(long timestamp) => (Int128)timestamp * Limit;

    // Scaled units → timestamp units → TimeSpan ticks, each step rounded up so a wait is never short.
    private TimeSpan ToTimeSpan(Int128 scaled)
    {
        if (scaled <= 0)
        {
            return TimeSpan.Zero;
        }

        var timestampUnits = CeilingDivide(scaled, Limit);
        var ticks = CeilingDivide(timestampUnits * TimeSpan.TicksPerSecond, _frequency);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    private static Int128 CeilingDivide(Int128 dividend, Int128 divisor) => (dividend + divisor - 1) / divisor;
}
