namespace ImageOrleans.Silo.Telemetry;

/// <summary>
/// This silo's generation requests of the last few minutes: counts per error code and per cache
/// outcome, and queue waits per priority, for the operator page. Kept in one-minute slots, so memory
/// stays bounded.
/// </summary>
public sealed class RecentErrors(TimeProvider time)
{
    public const int Minutes = 15;

    private readonly Lock _lock = new();
    private readonly Slot[] _slots = Enumerable.Range(0, Minutes).Select(_ => new Slot()).ToArray();

    public void Record(string? errorCode, string? cache, string priority, TimeSpan queueWait)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            var slot = _slots[minute % Minutes];
            if (slot.Minute != minute)
            {
                slot.Minute = minute;
                slot.Errors.Clear();
                slot.Cache.Clear();
                slot.Waits.Clear();
            }

            if (cache is not null)
            {
                var (count, totalMs, maxMs) = slot.Waits.GetValueOrDefault(priority);
                var ms = queueWait.TotalMilliseconds;
                slot.Waits[priority] = (count + 1, totalMs + ms, Math.Max(maxMs, ms));
            }

            if (errorCode is not null)
            {
                slot.Errors[errorCode] = slot.Errors.GetValueOrDefault(errorCode) + 1;
            }

            if (cache is not null)
            {
                slot.Cache[cache] = slot.Cache.GetValueOrDefault(cache) + 1;
            }
        }
    }

    /// <summary>Errors by code, requests by cache outcome and waits by priority over the last <see cref="Minutes"/> minutes.</summary>
    public RecentSnapshot Snapshot()
    {
        var waits = new SortedDictionary<string, (long Count, double TotalMs, double MaxMs)>(StringComparer.Ordinal);
        var now = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var cache = new SortedDictionary<string, long>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var slot in _slots.Where(s => s.Minute > now - Minutes))
            {
                foreach (var (code, count) in slot.Errors)
                {
                    errors[code] = errors.GetValueOrDefault(code) + count;
                }

                foreach (var (outcome, count) in slot.Cache)
                {
                    cache[outcome] = cache.GetValueOrDefault(outcome) + count;
                }

                foreach (var (priority, wait) in slot.Waits)
                {
                    var sum = waits.GetValueOrDefault(priority);
                    waits[priority] = (sum.Count + wait.Count, sum.TotalMs + wait.TotalMs, Math.Max(sum.MaxMs, wait.MaxMs));
                }
            }
        }

        return new RecentSnapshot(errors, cache, waits.ToDictionary(
            w => w.Key, w => new WaitSummary(w.Value.Count, Math.Round(w.Value.TotalMs / w.Value.Count, 1), Math.Round(w.Value.MaxMs, 1))));
    }

    private sealed class Slot
    {
        public long Minute { get; set; } = -1;

        public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Cache { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (long Count, double TotalMs, double MaxMs)> Waits { get; } = new(StringComparer.Ordinal);
    }
}
