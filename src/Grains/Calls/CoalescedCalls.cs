using System.Collections.Concurrent;

namespace ImageOrleans.Grains.Calls;

/// <summary>
/// Sends items to their targets (grains, by key) with at most one call per target in flight from this silo:
/// an item for an idle target goes at once, the items that arrive while a call is in flight go together in the
/// next one. Nothing waits at low load; under load one call per round trip replaces one per item.
/// </summary>
/// <remarks>
/// For notes that nobody waits for (outcomes booked behind answers, expiry entries). The calls run on the
/// thread pool, never on the scheduler of the grain that added the first item, which may end meanwhile.
/// </remarks>
public sealed class CoalescedCalls<T>(Func<string, IReadOnlyList<T>, Task> send, Action<string, int, Exception> onFailure, int maxBatch = 256)
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>Targets with items queued or a call in flight.</summary>
    public int Busy => _lanes.Count;

    /// <summary>Queues <paramref name="item"/> for <paramref name="target"/>; never throws, never waits.</summary>
    public void Add(string target, T item)
    {
        Lane lane;
        while (true)
        {
            lane = _lanes.GetOrAdd(target, static t => new Lane(t));
            lock (lane)
            {
                if (lane.Closed)
                {
                    // Its sender went idle and removed it between the lookup and the lock: take the new one.
                    continue;
                }

                lane.Queued.Add(item);
                if (lane.Sending)
                {
                    return;
                }

                lane.Sending = true;
                break;
            }
        }

        if (TaskScheduler.Current == TaskScheduler.Default)
        {
            _ = SendAsync(lane);
        }
        else
        {
            _ = Task.Run(() => SendAsync(lane));
        }
    }

    private async Task SendAsync(Lane lane)
    {
        while (true)
        {
            List<T> batch;
            lock (lane)
            {
                if (lane.Queued.Count == 0)
                {
                    // Idle: the lane goes, so targets keyed by time (expiry buckets) do not pile up; an item
                    // that finds it closed takes a new lane, so one target never has two calls in flight.
                    lane.Sending = false;
                    lane.Closed = true;
                    _lanes.TryRemove(KeyValuePair.Create(lane.Target, lane));
                    return;
                }

                if (lane.Queued.Count <= maxBatch)
                {
                    (batch, lane.Queued) = (lane.Queued, []);
                }
                else
                {
                    batch = lane.Queued.GetRange(0, maxBatch);
                    lane.Queued.RemoveRange(0, maxBatch);
                }
            }

            try
            {
                await send(lane.Target, batch);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                onFailure(lane.Target, batch.Count, ex);
            }
        }
    }

    private sealed class Lane(string target)
    {
        public string Target { get; } = target;

        public List<T> Queued { get; set; } = [];

        public bool Sending { get; set; }

        public bool Closed { get; set; }
    }
}
