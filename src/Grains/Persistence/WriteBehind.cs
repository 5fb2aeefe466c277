namespace ImageOrleans.Grains.Persistence;

/// <summary>
/// The bookkeeping of state written behind the requests that change it: a dirty flag that only a
/// successful write clears, and a back-off after failed writes (doubling from the flush interval up to
/// a ceiling) so a storage outage is retried without hammering it. Not thread-safe: a grain's turn owns it.
/// </summary>
public sealed class WriteBehind(TimeProvider time, TimeSpan interval, TimeSpan maxBackoff)
{
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    public bool Dirty { get; private set; }

    /// <summary>Failed writes in a row since the last successful one.</summary>
    public int Failures { get; private set; }

    /// <summary>When the next periodic write may be tried (the past when nothing failed).</summary>
    public DateTimeOffset RetryAt => _retryAt;

    public void MarkDirty() => Dirty = true;

    /// <summary>The state was stored (or deleted) by other means: nothing is pending any more.</summary>
    public void FlushedElsewhere()
    {
        Dirty = false;
        Failures = 0;
        _retryAt = DateTimeOffset.MinValue;
    }

    /// <summary>Whether a periodic flush should try now: not while backing off after a failure.</summary>
    public bool Due => time.GetUtcNow() >= _retryAt;

    /// <summary>
    /// Writes when dirty (and, unless <paramref name="force"/>, not backing off). Returns false when the
    /// write failed, after which the state stays dirty; the exception goes to <paramref name="failed"/>.
    /// </summary>
    public async Task<bool> FlushAsync(Func<CancellationToken, Task> write, Action<Exception, int, TimeSpan> failed, bool force, CancellationToken cancellationToken)
    {
        if (!Dirty)
        {
            return true;
        }

        if (!force && !Due)
        {
            return false;
        }

        // Cleared before the write, so a change made while it is under way marks the state dirty again.
        Dirty = false;
        try
        {
            await write(cancellationToken);
            Failures = 0;
            _retryAt = DateTimeOffset.MinValue;
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Dirty = true;
            Failures++;
            var backoff = TimeSpan.FromTicks(Math.Min(maxBackoff.Ticks, interval.Ticks * (1L << Math.Min(Failures - 1, 16))));
            _retryAt = time.GetUtcNow() + backoff;
            failed(ex, Failures, backoff);
            return false;
        }
    }
}
