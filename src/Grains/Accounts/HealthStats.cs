namespace ImageOrleans.Grains.Accounts;

/// <summary>Latency (EWMA) and success rate over the last outcomes of one account.</summary>
public sealed class HealthStats(double latencyAlpha = 0.2, int window = 50)
{
    private readonly bool[] _outcomes = new bool[window];
    private int _count;
    private int _next;
    private int _successes;

    public double EwmaLatencyMs { get; private set; }

    public long TotalSuccesses { get; private set; }

    public long TotalFailures { get; private set; }

    /// <summary>Outcomes in the window (at most its size).</summary>
    public int Count => _count;

    /// <summary>Share of successes in the window; 1 when nothing is known yet.</summary>
    public double SuccessRate => _count == 0 ? 1.0 : (double)_successes / _count;

    public void Record(bool success, TimeSpan latency)
    {
        if (success)
        {
            TotalSuccesses++;
            var ms = latency.TotalMilliseconds;
            EwmaLatencyMs = TotalSuccesses == 1 ? ms : (latencyAlpha * ms) + ((1 - latencyAlpha) * EwmaLatencyMs);
        }
        else
        {
            TotalFailures++;
        }

        if (_count == _outcomes.Length)
        {
            _successes -= _outcomes[_next] ? 1 : 0;
        }
        else
        {
            _count++;
        }

        _outcomes[_next] = success;
        _successes += success ? 1 : 0;
        _next = (_next + 1) % _outcomes.Length;
    }

    public void Restore(double ewmaLatencyMs, long successes, long failures)
    {
        EwmaLatencyMs = ewmaLatencyMs;
        TotalSuccesses = successes;
        TotalFailures = failures;
    }
}
