using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Queueing;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Telemetry;

/// <summary>
/// The pool's live state as gauges: each account's buckets, in-flight, learned rate, breaker and drain
/// (sampled from the account grains every <see cref="TelemetryOptions.SampleInterval"/>, since a gauge
/// callback cannot call a grain), and this silo's queue depth by priority (read directly).
/// </summary>
public sealed partial class PoolGauges(
    IGrainFactory grains,
    CapacityScheduler scheduler,
    ImageOrleansMetrics metrics,
    IOptions<TelemetryOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<PoolGauges> logger) : BackgroundService
{
    private volatile IReadOnlyList<AccountStatus> _accounts = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Register(metrics.Meter);
        if (!await StartedAsync(stoppingToken))
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        do
        {
            try
            {
                var snapshot = await grains.GetGrain<IPoolGrain>(0).GetSnapshotAsync();
                var statuses = await Task.WhenAll(snapshot.Accounts.Select(a => grains.GetGrain<IAccountGrain>(a.Id).GetStatusAsync().AsTask()));
                _accounts = statuses;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSampleFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Register(System.Diagnostics.Metrics.Meter meter)
    {
        meter.CreateObservableGauge("imageorleans.queue.depth", () =>
            Enum.GetValues<RequestPriority>().Select(p =>
                new System.Diagnostics.Metrics.Measurement<int>(scheduler.WaitingAt(p), new KeyValuePair<string, object?>("priority", p.ToString().ToLowerInvariant()))),
            description: "Requests waiting for pool capacity on this silo, by priority.");
        Gauge(meter, "imageorleans.account.request_tokens", "Request tokens left in the account's bucket.", a => a.Load.RequestTokens);
        Gauge(meter, "imageorleans.account.request_capacity", "Size of the account's request bucket.", a => a.Load.RequestCapacity);
        Gauge(meter, "imageorleans.account.image_tokens", "Image tokens left in the account's bucket.", a => a.Load.ImageTokens);
        Gauge(meter, "imageorleans.account.in_flight", "Upstream calls in flight on the account.", a => a.Load.InFlight);
        Gauge(meter, "imageorleans.account.max_concurrency", "The account's concurrency cap.", a => a.Load.MaxConcurrency);
        Gauge(meter, "imageorleans.account.learned_rate_factor", "Share of the advertised rate the account is paced at (1 = all of it).", a => a.LearnedRateFactor);
        Gauge(meter, "imageorleans.account.breaker_open", "1 while the account's circuit breaker is open or half-open.", a => a.Breaker == BreakerState.Closed ? 0 : 1);
        Gauge(meter, "imageorleans.account.draining", "1 while the account is drained by an operator.", a => a.Draining ? 1 : 0);
        Gauge(meter, "imageorleans.account.latency", "The account's smoothed upstream latency (ms).", a => a.EwmaLatencyMs, "ms");
        Gauge(meter, "imageorleans.account.spend_today", "Spend on the account today (USD).", a => (double)a.SpendTodayUsd, "USD");
    }

    private void Gauge(System.Diagnostics.Metrics.Meter meter, string name, string description, Func<AccountStatus, double> value, string? unit = null) =>
        meter.CreateObservableGauge(name, () => _accounts.Select(a =>
            new System.Diagnostics.Metrics.Measurement<double>(value(a), new KeyValuePair<string, object?>("account", a.Id))), unit, description);

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 3302, Level = LogLevel.Debug, Message = "Sampling the accounts for the pool gauges failed; the last sample stays")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
