namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>
/// A per-minute limit counted over windows of a few seconds: <c>floor(limit × seconds / 60)</c> tokens
/// (at least 1) per window, either in fixed windows that reset on their boundaries or in a window that
/// slides with the clock. Not thread-safe: the owner locks.
/// </summary>
internal sealed class WindowLimiter : IRateLimiter
{
    private readonly long _window;
    private readonly int _seconds;
    private readonly bool _sliding;

    // What was taken, oldest first: (timestamp, tokens). Fixed windows keep only the current window's.
    private readonly Queue<(long At, int Tokens)> _taken = new();
    private int _used;

    public WindowLimiter(int limit, int seconds, bool sliding, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(timestampFrequency, 1);
        Limit = limit;
        _seconds = seconds;
        _sliding = sliding;
        _window = seconds * timestampFrequency;
        Frequency = timestampFrequency;
    }

    public int Limit { get; private set; }

    /// <summary>Tokens allowed in one window.</summary>
    public int Capacity => Math.Max(1, (int)((long)Limit * _seconds / 60));

    private long Frequency { get; }

    public bool CanAcquire(int tokens, long timestamp, out TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        if (tokens > Capacity)
        {
            retryAfter = Timeout.InfiniteTimeSpan;
            return false;
        }

        Expire(timestamp);
        if (_used + tokens <= Capacity)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = ToTimeSpan(FreedAt(_used + tokens - Capacity, timestamp) - timestamp);
        return false;
    }

    public void Acquire(int tokens, long timestamp)
    {
        Expire(timestamp);
        _taken.Enqueue((timestamp, tokens));
        _used += tokens;
    }

    public int Remaining(long timestamp)
    {
        Expire(timestamp);
        return Math.Max(0, Capacity - _used);
    }

    public TimeSpan TimeUntilFull(long timestamp)
    {
        Expire(timestamp);
        return _used == 0 ? TimeSpan.Zero : ToTimeSpan(FreedAt(_used, timestamp) - timestamp);
    }

    public void Refill()
    {
        _taken.Clear();
        _used = 0;
    }

    public void ChangeLimit(int limit, long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
    }

    /// <summary>When at least <paramref name="tokens"/> of what was taken will have been given back.</summary>
    private long FreedAt(int tokens, long timestamp)
    {
        if (!_sliding)
        {
            return WindowStart(timestamp) + _window;
        }

        var freed = 0;
        foreach (var (at, taken) in _taken)
        {
            freed += taken;
            if (freed >= tokens)
            {
                return at + _window;
            }
        }

        return timestamp + _window;
    }

    private void Expire(long timestamp)
    {
        // Sliding: an entry leaves a window after exactly its length. Fixed: everything from before the
        // current window's start leaves at once.
        var horizon = _sliding ? timestamp - _window : WindowStart(timestamp) - 1;
        while (_taken.TryPeek(out var oldest) && oldest.At <= horizon)
        {
            _used -= _taken.Dequeue().Tokens;
        }
    }

    private long WindowStart(long timestamp) => timestamp - (((timestamp % _window) + _window) % _window);

    // Rounded up, so a client that waits the advertised time is never early.
    private TimeSpan ToTimeSpan(long timestampUnits) =>
        timestampUnits <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)(((Int128)timestampUnits * TimeSpan.TicksPerSecond + Frequency - 1) / Frequency));
}
