using ImageOrleans.Simulator.Engine;

namespace ImageOrleans.Simulator;

/// <summary>Live counters of image generation requests, for one key or for all of them; every read is a single atomic load.</summary>
public sealed class KeyCounters
{
    private static readonly int Count = Enum.GetValues<SimulatorCounter>().Length;

    private readonly long[] _values = new long[Count];

    internal KeyCounters()
    {
    }

    /// <summary>Generation requests received (per key: once the key is identified).</summary>
    public long Requests => Read(SimulatorCounter.Requests);

    /// <summary>Requests answered 200 with images.</summary>
    public long Served => Read(SimulatorCounter.Served);

    /// <summary>Images in served responses.</summary>
    public long Images => Read(SimulatorCounter.Images);

    /// <summary>429 because the requests or images bucket was empty.</summary>
    public long RefusedRateLimit => Read(SimulatorCounter.RefusedRateLimit);

    /// <summary>429 because the key already had MaxConcurrency requests in flight.</summary>
    public long RefusedConcurrency => Read(SimulatorCounter.RefusedConcurrency);

    /// <summary>401: a missing, unknown or revoked key.</summary>
    public long RefusedAuth => Read(SimulatorCounter.RefusedAuth);

    /// <summary>429 insufficient_quota.</summary>
    public long RefusedQuota => Read(SimulatorCounter.RefusedQuota);

    /// <summary>403 (forbidden model) or 404 (model not served by the key).</summary>
    public long RefusedForbidden => Read(SimulatorCounter.RefusedForbidden);

    /// <summary>400 or 413: an invalid request.</summary>
    public long RefusedInvalid => Read(SimulatorCounter.RefusedInvalid);

    /// <summary>400 content_policy_violation.</summary>
    public long ContentPolicy => Read(SimulatorCounter.ContentPolicy);

    public long FaultsServerError => Read(SimulatorCounter.FaultsServerError);

    public long FaultsTimeout => Read(SimulatorCounter.FaultsTimeout);

    public long FaultsReset => Read(SimulatorCounter.FaultsReset);

    public long FaultsMalformed => Read(SimulatorCounter.FaultsMalformed);

    /// <summary>200 answers cut off after half of their announced body.</summary>
    public long FaultsTruncated => Read(SimulatorCounter.FaultsTruncated);

    /// <summary>200 answers whose body trickled out at the slow-body rate.</summary>
    public long FaultsSlowBody => Read(SimulatorCounter.FaultsSlowBody);

    /// <summary>Admitted requests whose client went away before the simulated latency elapsed.</summary>
    public long Aborted => Read(SimulatorCounter.Aborted);

    /// <summary>Requests admitted past authentication and the concurrency cap and not yet finished.</summary>
    public long InFlight => Read(SimulatorCounter.InFlight);

    /// <summary>The highest <see cref="InFlight"/> seen since start or the last reset.</summary>
    public long MaxInFlight => Read(SimulatorCounter.MaxInFlight);

    public CountersSnapshot Snapshot() => new(
        Requests,
        Served,
        Images,
        RefusedRateLimit,
        RefusedConcurrency,
        RefusedAuth,
        RefusedQuota,
        RefusedForbidden,
        RefusedInvalid,
        ContentPolicy,
        FaultsServerError,
        FaultsTimeout,
        FaultsReset,
        FaultsMalformed,
        Aborted,
        InFlight,
        MaxInFlight,
        FaultsTruncated,
        FaultsSlowBody);

    internal void Add(SimulatorCounter counter, long amount = 1) =>
        Interlocked.Add(ref _values[(int)counter], amount);

    internal void EnterFlight()
    {
        var inFlight = Interlocked.Increment(ref _values[(int)SimulatorCounter.InFlight]);
        ref var max = ref _values[(int)SimulatorCounter.MaxInFlight];
        var seen = Interlocked.Read(ref max);
        while (inFlight > seen)
        {
            var previous = Interlocked.CompareExchange(ref max, inFlight, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }
    }

    internal void ExitFlight() => Interlocked.Decrement(ref _values[(int)SimulatorCounter.InFlight]);

    // Requests still in flight will decrement InFlight when they finish, so it survives a reset.
    internal void Reset()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            if (i is not (int)SimulatorCounter.InFlight)
            {
                Interlocked.Exchange(ref _values[i], 0);
            }
        }

        Interlocked.Exchange(ref _values[(int)SimulatorCounter.MaxInFlight], InFlight);
    }

    private long Read(SimulatorCounter counter) => Interlocked.Read(ref _values[(int)counter]);
}
