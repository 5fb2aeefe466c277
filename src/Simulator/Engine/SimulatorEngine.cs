using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Simulator.Engine;

/// <summary>The simulator's mutable world: configured keys, current faults, the seeded random source and the counters.</summary>
internal sealed class SimulatorEngine
{
    private readonly ConcurrentDictionary<string, SimulatedKeyState> _keys = new(StringComparer.Ordinal);
    private readonly Lock _randomLock = new();
    private readonly Random _random;
    private readonly ILogger _logger;
    private FaultOptions _faults;

    public SimulatorEngine(SimulatorOptions options, TimeProvider time, ILogger<SimulatorEngine> logger, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(options);
        Time = time;
        _logger = logger;
        Stopping = stopping;

        // Copies, so that later edits to the caller's options object change nothing behind our back.
        Latency = new LatencyOptions
        {
            Distribution = options.Latency.Distribution,
            MedianMs = options.Latency.MedianMs,
            MinMs = options.Latency.MinMs,
            MaxMs = options.Latency.MaxMs,
            Sigma = options.Latency.Sigma,
        };
        ImageWidth = options.Image.Width;
        ImageHeight = options.Image.Height;
        ContentPolicyKeyword = options.ContentPolicyKeyword;
        AdvertiseLimits = options.AdvertiseLimits;
        _faults = options.Faults.Clone();

        // Seeded System.Random is deterministic, which is the point: runs must be reproducible.
#pragma warning disable CA5394
        _random = new Random(options.Seed);
#pragma warning restore CA5394

        var now = time.GetTimestamp();
        foreach (var key in options.Keys)
        {
            AddOrUpdate(key.Clone(), now);
        }
    }

    public TimeProvider Time { get; }

    public SimulatorStats Stats { get; } = new();

    /// <summary>Signalled when the host stops, so hanging requests let shutdown finish.</summary>
    public CancellationToken Stopping { get; }

    public LatencyOptions Latency { get; }

    public int ImageWidth { get; }

    public int ImageHeight { get; }

    public string ContentPolicyKeyword { get; }

    public bool AdvertiseLimits { get; }

    public FaultOptions Faults => Volatile.Read(ref _faults);

    public SimulatedKeyState? FindKey(string apiKey) => _keys.GetValueOrDefault(apiKey);

    public void UpsertKey(SimulatedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var errors = new List<string>();
        SimulatorOptionsValidator.ValidateKey(key, errors);
        if (_keys.Count >= SimulatorOptionsValidator.MaxKeys && !_keys.ContainsKey(key.Key))
        {
            errors.Add($"The simulator already holds the maximum of {SimulatorOptionsValidator.MaxKeys} keys.");
        }

        SimulatorOptionsValidator.ThrowIfInvalid(errors, nameof(key));

        var copy = key.Clone();
        var state = AddOrUpdate(copy, Time.GetTimestamp());
        SimulatorLog.KeyUpserted(_logger, state.MaskedKey, copy.EnforcedRequestsPerMinute, copy.EnforcedImagesPerMinute);
    }

    public void SetFaults(FaultOptions faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        var errors = new List<string>();
        SimulatorOptionsValidator.ValidateFaults(faults, errors);
        SimulatorOptionsValidator.ThrowIfInvalid(errors, nameof(faults));

        var copy = faults.Clone();
        Volatile.Write(ref _faults, copy);
        SimulatorLog.FaultsChanged(_logger, copy.ServerErrorRate, copy.TimeoutRate, copy.ResetRate, copy.MalformedRate, copy.TruncatedRate, copy.SlowBodyRate);
    }

    public void Reset()
    {
        Stats.Reset();
        foreach (var state in _keys.Values)
        {
            state.Refill();
        }

        SimulatorLog.SimulatorReset(_logger);
    }

    /// <summary>Draws the fault and the latency of one admitted request from the seeded random source.</summary>
    public RequestPlan Plan(FaultOptions faults)
    {
        var total = faults.TotalRate;
        var randomLatency = LatencySampler.IsRandom(Latency);
        if (total <= 0 && !randomLatency)
        {
            return new RequestPlan(FaultKind.None, LatencySampler.Sample(Latency, _random));
        }

        lock (_randomLock)
        {
            var fault = FaultKind.None;
            if (total > 0)
            {
                var draw = _random.NextDouble();
                fault = draw < faults.ServerErrorRate ? FaultKind.ServerError
                    : draw < faults.ServerErrorRate + faults.TimeoutRate ? FaultKind.Timeout
                    : draw < faults.ServerErrorRate + faults.TimeoutRate + faults.ResetRate ? FaultKind.Reset
                    : draw < faults.ServerErrorRate + faults.TimeoutRate + faults.ResetRate + faults.MalformedRate ? FaultKind.Malformed
                    : draw < total - faults.SlowBodyRate ? FaultKind.Truncated
                    : draw < total ? FaultKind.SlowBody
                    : FaultKind.None;
            }

            return new RequestPlan(fault, LatencySampler.Sample(Latency, _random));
        }
    }

    private SimulatedKeyState AddOrUpdate(SimulatedKey key, long timestamp)
    {
        var counters = Stats.ForKey(key.Key);
        var frequency = Time.TimestampFrequency;
        var state = _keys.GetOrAdd(key.Key, _ => new SimulatedKeyState(key, counters, frequency));
        state.Update(key, timestamp);
        return state;
    }
}
