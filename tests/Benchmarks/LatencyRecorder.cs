using System.Collections.Concurrent;

namespace ImageOrleans.Benchmarks;

/// <summary>Collects latencies from many threads and reports percentiles in milliseconds.</summary>
public sealed class LatencyRecorder
{
    private readonly ConcurrentBag<double> _samples = [];

    public int Count => _samples.Count;

    public void Add(TimeSpan latency) => _samples.Add(latency.TotalMilliseconds);

    public double Percentile(double p)
    {
        var sorted = _samples.ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
