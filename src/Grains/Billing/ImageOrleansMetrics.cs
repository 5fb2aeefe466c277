using System.Diagnostics.Metrics;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Billing;

/// <summary>
/// The gateway's own metrics (meter "ImageOrleans"), for OpenTelemetry or dotnet-counters. Every label
/// has a bounded set of values: status codes, error codes, served models, priorities, account and key
/// ids — never a prompt or a request id.
/// </summary>
public sealed class ImageOrleansMetrics
{
    public const string MeterName = "ImageOrleans";

    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Counter<long> _budgetAlerts;
    private readonly Counter<double> _spend;
    private readonly Counter<double> _saved;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _images;
    private readonly Counter<long> _cache;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _upstreamAttempts;
    private readonly Counter<long> _upstreamRateLimited;
    private readonly Counter<long> _upstreamFaults;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _retriesRefused;
    private readonly Histogram<double> _upstreamDuration;

    public ImageOrleansMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _budgetAlerts = Meter.CreateCounter<long>("imageorleans.budget.alerts", description: "Budget thresholds crossed, by key, period and threshold.");
        _spend = Meter.CreateCounter<double>("imageorleans.spend", unit: "USD", description: "Upstream spend charged to client keys.");
        _saved = Meter.CreateCounter<double>("imageorleans.saved", unit: "USD", description: "Spend avoided by the prompt cache and coalescing.");
        _requests = Meter.CreateCounter<long>("imageorleans.requests", description: "Generation requests answered, by HTTP status, error code, model and priority.");
        _requestDuration = Meter.CreateHistogram<double>("imageorleans.request.duration", unit: "s",
            description: "Time to answer a generation request, by model and cache outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _images = Meter.CreateCounter<long>("imageorleans.images.generated", description: "Images generated upstream, by model and account.");
        _cache = Meter.CreateCounter<long>("imageorleans.cache.requests", description: "Generation requests by prompt-cache outcome (hit, miss, coalesced, bypass).");
        _queueWait = Meter.CreateHistogram<double>("imageorleans.queue.wait", unit: "s",
            description: "Time a request waited for pool capacity, by priority.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _upstreamAttempts = Meter.CreateCounter<long>("imageorleans.upstream.attempts", description: "Upstream calls, by account, model and outcome.");
        _upstreamRateLimited = Meter.CreateCounter<long>("imageorleans.upstream.rate_limited", description: "Upstream answers of 429, by account.");
        _upstreamFaults = Meter.CreateCounter<long>("imageorleans.upstream.faults",
            description: "Upstream calls that broke, by account and fault class (server_error, hang, reset, truncated, malformed, slow_body).");
        _retries = Meter.CreateCounter<long>("imageorleans.dispatch.retries", description: "Requests sent upstream again after a fault, by model and the fault that caused it.");
        _retriesRefused = Meter.CreateCounter<long>("imageorleans.dispatch.retry_budget_exhausted",
            description: "Requests failed fast with 503 pool_unavailable because the silo's retry budget was spent, by model.");
        _upstreamDuration = Meter.CreateHistogram<double>("imageorleans.upstream.duration", unit: "s",
            description: "Upstream call latency, by account and model.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    }

    /// <summary>The meter itself, for observable instruments registered by the host.</summary>
    public Meter Meter { get; }

    public void BudgetAlert(BudgetAlert alert) =>
        _budgetAlerts.Add(1, new("key", alert.KeyId), new("period", alert.Period), new("threshold", alert.Threshold));

    public void Charged(string keyId, string model, decimal spent, decimal saved)
    {
        if (spent > 0)
        {
            _spend.Add((double)spent, new("key", keyId), new("model", model));
        }

        if (saved > 0)
        {
            _saved.Add((double)saved, new("key", keyId), new("model", model));
        }
    }

    /// <summary>One generation request answered by the front door.</summary>
    public void Answered(int status, string? code, string model, string priority, string cache, TimeSpan duration)
    {
        _requests.Add(1, new("status", status), new("code", code ?? "none"), new("model", model), new("priority", priority));
        _requestDuration.Record(duration.TotalSeconds, new("model", model), new("cache", cache));
    }

    /// <summary>The prompt cache's part in one answered request, and its wait for capacity.</summary>
    public void Served(string cache, string priority, TimeSpan queueWait)
    {
        _cache.Add(1, new KeyValuePair<string, object?>("outcome", cache));
        _queueWait.Record(queueWait.TotalSeconds, new KeyValuePair<string, object?>("priority", priority));
    }

    /// <summary>One upstream call's classified end.</summary>
    public void UpstreamAttempt(string accountId, string model, UpstreamResult result)
    {
        _upstreamAttempts.Add(1, new("account", accountId), new("model", model), new("outcome", result.Kind.ToString()));
        _upstreamDuration.Record(result.Latency.TotalSeconds, new("account", accountId), new("model", model));
        if (result.StatusCode == 429 || result.Kind is OutcomeKind.RateLimited or OutcomeKind.QuotaExhausted)
        {
            _upstreamRateLimited.Add(1, new KeyValuePair<string, object?>("account", accountId));
        }

        if (result.Kind == OutcomeKind.Success && result.Images.Count > 0)
        {
            _images.Add(result.Images.Count, new("model", model), new("account", accountId));
        }

        if (result.Fault != UpstreamFault.None)
        {
            _upstreamFaults.Add(1, new("account", accountId), new("fault", FaultName(result.Fault)));
        }
    }

    /// <summary>A request goes upstream again after the fault of one account.</summary>
    public void Retried(string model, UpstreamFault fault) =>
        _retries.Add(1, new("model", model), new("fault", FaultName(fault)));

    /// <summary>A request failed fast because the retry budget was spent.</summary>
    public void RetryRefused(string model) => _retriesRefused.Add(1, new KeyValuePair<string, object?>("model", model));

    private static string FaultName(UpstreamFault fault) => fault switch
    {
        UpstreamFault.ServerError => "server_error",
        UpstreamFault.Hang => "hang",
        UpstreamFault.Reset => "reset",
        UpstreamFault.Truncated => "truncated",
        UpstreamFault.Malformed => "malformed",
        UpstreamFault.SlowBody => "slow_body",
        _ => "none",
    };
}
