using System.Collections.Concurrent;
using ImageOrleans.Simulator.Engine;

namespace ImageOrleans.Simulator;

/// <summary>Live counters of the simulator: totals, and one set per configured key.</summary>
public sealed class SimulatorStats
{
    // Only configured keys get an entry, so garbage keys sent by a client cannot grow this map.
    private readonly ConcurrentDictionary<string, KeyCounters> _keys = new(StringComparer.Ordinal);

    internal SimulatorStats()
    {
    }

    public KeyCounters Total { get; } = new();

    /// <summary>Counters per configured API key, keyed by the key string.</summary>
    public IReadOnlyDictionary<string, KeyCounters> Keys => _keys;

    public SimulatorStatsSnapshot Snapshot()
    {
        var keys = new SortedDictionary<string, CountersSnapshot>(StringComparer.Ordinal);
        foreach (var (key, counters) in _keys)
        {
            keys[key] = counters.Snapshot();
        }

        return new SimulatorStatsSnapshot(Total.Snapshot(), keys.AsReadOnly());
    }

    internal KeyCounters ForKey(string key) => _keys.GetOrAdd(key, static _ => new KeyCounters());

    internal void Add(KeyCounters? key, SimulatorCounter counter, long amount = 1)
    {
        Total.Add(counter, amount);
        key?.Add(counter, amount);
    }

    internal void EnterFlight(KeyCounters key)
    {
        Total.EnterFlight();
        key.EnterFlight();
    }

    internal void ExitFlight(KeyCounters key)
    {
        Total.ExitFlight();
        key.ExitFlight();
    }

    internal void Reset()
    {
        Total.Reset();
        foreach (var counters in _keys.Values)
        {
            counters.Reset();
        }
    }
}
