using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Telemetry;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Performs generations on this silo: leases an account, calls the upstream, reports the outcome, fails over
/// and retries by error class, and settles the job with its key. A plain singleton, so the prompt cache and
/// the pipeline call it in process rather than through a grain call of their own (one message, two scheduler
/// turns and a reference lookup fewer on every miss); <see cref="DispatcherGrain"/> serves callers that hold
/// only a grain factory.
/// </summary>
public sealed partial class Dispatcher(
    GrainReferences grains,
    CapacityScheduler scheduler,
    LeaseBroker broker,
    CanaryRouter canary,
    DispatchActivity activity,
    CostCalculator costs,
    UpstreamClients upstreams,
    IImageStore images,
    SettlementBook settlements,
    OutcomeReporter reporter,
    RetryBudget retries,
    ImageOrleansMetrics metrics,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<Dispatcher> logger)
{
    // Account-specific failures (429, quota, permissions) a single request may go through.
    private const int MaxFailovers = 16;

    // A spent retry budget refills with new traffic; a client that waits this long finds some.
    private static readonly TimeSpan RetryAfterSpentBudget = TimeSpan.FromSeconds(1);

    private readonly DispatchOptions _options = options.Value;

    /// <summary>Runs <paramref name="job"/> to its end, settled with its key; never throws.</summary>
    public async Task<GenerationReply> GenerateAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        activity.Enter();
        try
        {
            GenerationReply reply;
            try
            {
                reply = await DispatchAsync(job, cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever broke, the job still ends, and its reservation with it.
                LogDispatchFault(logger, ex, job.RequestId);
                reply = GenerationReply.Failure(GatewayErrors.Internal(job.RequestId));
            }

            // The generation completes here, so it is paid here: by the key whose job started it,
            // whether or not that client (or anyone coalesced onto it) is still listening.
            await settlements.SettleAsync(job, reply, SettlementRole.Originator);
            return reply;
        }
        finally
        {
            activity.Exit();
        }
    }

    private async Task<GenerationReply> DispatchAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        // Decided once per request, so waiting and failing over do not change its side of a canary split.
        job = job with { Route = await canary.RouteAsync(job) };

        // Accounts that faulted on this request in the current round: the next attempt goes elsewhere.
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var rounds = 1;
        var faults = 0;
        var failovers = 0;
        var calls = 0;
        var queueWait = TimeSpan.Zero;
        UpstreamResult? lastFailure = null;
        retries.OnRequest();

        while (true)
        {
            if (tried.Count > 0 && job.Deadline <= time.GetUtcNow())
            {
                // Failing over is bounded by the request's deadline, like waiting is.
                return GenerationReply.Failure(FinalError(lastFailure!, calls), queueWait);
            }

            var acquisition = tried.Count == 0
                ? await AcquireAsync(job, tried, cancellationToken)
                : await FailOverAsync(job, tried, cancellationToken);
            if (acquisition is null)
            {
                if (rounds >= _options.MaxRounds)
                {
                    return GenerationReply.Failure(FinalError(lastFailure!, calls), queueWait);
                }

                // No account it has not tried can take it now: only then may an account that failed
                // it take it again, after a back-off, waiting for capacity like any request.
                rounds++;
                tried.Clear();
                await BackoffAsync(rounds - 1, cancellationToken);
                acquisition = await AcquireAsync(job, tried, cancellationToken);
            }

            queueWait += acquisition.Waited;
            if (acquisition is not { Lease: { } lease, Account: { } account })
            {
                // After an upstream that failed outright, its failure is the answer; after one that only
                // said "not now" (429, quota), what happened while waiting for another is. So is a pool
                // found unavailable: that answer tells the client when to come back.
                var error = acquisition.Error!;
                var final = lastFailure is { Kind: var kind } && kind.IsTransientFailure()
                    && error.Code is not (GatewayErrors.CancelledCode or GatewayErrors.PoolUnavailableCode)
                    ? FinalError(lastFailure, calls)
                    : error;
                return GenerationReply.Failure(final, queueWait);
            }

            // The HTTP call, its parsing and storing the images run on the thread pool, never on a grain's scheduler.
            var upstream = upstreams.For(account.Kind);
            var (result, generated, contents, failure) = await AttemptAsync(upstream, account, job, cancellationToken);
            calls++;
            if (failure is not null)
            {
                // Whatever broke after the lease was granted, the lease ends and the account hears how.
                await ReportAsync(account.Id, ReportOf(lease, job, result));
                return GenerationReply.Failure(failure, queueWait);
            }

            var report = ReportOf(lease, job, result) with { CostUsd = generated?.CostUsd ?? 0m };
            if (generated is not null)
            {
                // The answer does not wait for the account to book the outcome; the load snapshot it
                // returns reaches this silo's view when it arrives.
                reporter.Report(account.Id, report);
                LogServed(logger, job.RequestId, account.Id, result.Latency.TotalMilliseconds, calls);
                return GenerationReply.Success(generated with { Attempts = calls }, queueWait) with { Contents = contents };
            }

            // A failure is booked before the next attempt so that attempt already sees its effect.
            await ReportAsync(account.Id, report);
            switch (result.Kind)
            {
                case OutcomeKind.Cancelled:
                    return GenerationReply.Failure(GatewayErrors.Cancelled(), queueWait);
                case var kind when kind.IsClientError():
                    return GenerationReply.Failure(PassThrough(result), queueWait);
                case var kind when kind.IsAccountSpecific():
                    // No need to exclude the account here: its grain now refuses leases (cool-down,
                    // exclusion) until the cause is gone, so the next lease comes from elsewhere or
                    // after waiting. The bound only guards against an upstream that never settles.
                    LogFailover(logger, job.RequestId, account.Id, result.Kind);
                    lastFailure = result;
                    if (++failovers > MaxFailovers)
                    {
                        return GenerationReply.Failure(FinalError(result, calls), queueWait);
                    }

                    continue;
                default:
                    // A fault of this account (5xx, hang past its timeout, reset, cut or unreadable
                    // answer): the request moves on to an account it has not tried. A hang only gets
                    // here once the account's timeout has passed, so it is never sent twice at once.
                    faults++;
                    lastFailure = result;
                    tried.Add(account.Id);
                    FaultLog.Fault(logger, job.RequestId, account.Id, result.Fault, result.Kind, faults);
                    if (result.Sent && !retries.TryRetry())
                    {
                        // Every account failing must not turn into a retry storm: fail fast instead.
                        FaultLog.RetryBudgetSpent(logger, job.RequestId, account.Id, calls);
                        metrics.RetryRefused(job.Request.Model);
                        return GenerationReply.Failure(GatewayErrors.PoolUnavailable(job.Request.Model, RetryAfterSpentBudget), queueWait);
                    }

                    metrics.Retried(job.Request.Model, result.Fault);
                    continue;
            }
        }
    }

    /// <summary>
    /// A lease from an account the request has not tried, if one grants it now, or null. A retry does
    /// not wait in the queue for the accounts it has not tried: they may be out for a while (an open
    /// breaker), while the ones it tried may well serve it at once.
    /// </summary>
    private async Task<Acquisition?> FailOverAsync(GenerationJob job, IReadOnlySet<string> tried, CancellationToken cancellationToken)
    {
        using var span = GatewayTelemetry.StartLease(job);
        try
        {
            var attempt = await broker.TryLeaseAsync(job, tried, observer: null, cancellationToken);
            return attempt is { Lease: { } lease, Account: { } account }
                ? GatewayTelemetry.Leased(span, Acquisition.Granted(lease, account, TimeSpan.Zero))
                : null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Acquisition.Failed(GatewayErrors.Cancelled(), TimeSpan.Zero);
        }
    }

    private async Task<Acquisition> AcquireAsync(GenerationJob job, IReadOnlySet<string> excluded, CancellationToken cancellationToken)
    {
        using var span = GatewayTelemetry.StartLease(job);
        try
        {
            return GatewayTelemetry.Leased(span, await scheduler.AcquireAsync(job, excluded, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Acquisition.Failed(GatewayErrors.Cancelled(), TimeSpan.Zero);
        }
    }

    /// <summary>
    /// One upstream attempt, on the thread pool. It never throws: a fault of the gateway's own (storing
    /// the images, reading the answer) comes back as an error for the client, with the upstream's
    /// outcome still reported so the lease is returned at once rather than at its expiry.
    /// </summary>
    private async Task<(UpstreamResult Result, GenerationResult? Generated, ReadOnlyMemory<byte>[]? Contents, GatewayError? Failure)> AttemptAsync(
        IUpstreamClient upstream, UpstreamAccount account, GenerationJob job, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            // Off a grain's scheduler already (the prompt cache and the front door call in from the thread
            // pool) the call starts here; from a grain (DispatcherGrain) it is moved to the thread pool first.
            var call = TaskScheduler.Current == TaskScheduler.Default
                ? CallAsync(upstream, account, job, cancellationToken)
                : Task.Run(() => CallAsync(upstream, account, job, cancellationToken), CancellationToken.None);
            var (result, generated, contents) = await call;
            return (result, generated, contents, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAttemptFault(logger, ex, job.RequestId, account.Id);
            var result = new UpstreamResult
            {
                Kind = ex is StoredImageException ? OutcomeKind.Success : OutcomeKind.MalformedResponse,
                Latency = time.GetElapsedTime(started),
                Detail = "the gateway could not complete the call",
            };
            return (result, null, null, GatewayErrors.Internal(job.RequestId));
        }
    }

    private async Task<(UpstreamResult Result, GenerationResult? Generated, ReadOnlyMemory<byte>[]? Contents)> CallAsync(
        IUpstreamClient upstream, UpstreamAccount account, GenerationJob job, CancellationToken cancellationToken)
    {
        var result = await upstream.GenerateAsync(account, job.Request, cancellationToken);
        if (result.Kind != OutcomeKind.Success)
        {
            return (result, null, null);
        }

        var charge = costs.Charge(job.Request, result.Usage, account.PriceFactor);
        var generated = new GenerationResult
        {
            Created = result.Created ?? time.GetUtcNow().ToUnixTimeSeconds(),
            Images = job.StoreBehind ? Describe(result.Images) : await StoreAsync(result.Images),
            Usage = result.Usage,
            AccountId = account.Id,
            CostUsd = charge.Usd,
            CostBasis = charge.Basis,
            Produced = result.Produced,
        };
        return (result, generated, job.StoreBehind ? ContentsOf(result.Images) : null);
    }

    /// <summary>The images as they will be stored, for a caller that answers from their bytes and stores them behind.</summary>
    private static GeneratedImage[] Describe(IReadOnlyList<UpstreamImage> images)
    {
        var described = new GeneratedImage[images.Count];
        for (var i = 0; i < described.Length; i++)
        {
            described[i] = ImageWriteBehind.Describe(images[i].Bytes, images[i].RevisedPrompt);
        }

        return described;
    }

    private static ReadOnlyMemory<byte>[] ContentsOf(IReadOnlyList<UpstreamImage> images)
    {
        var contents = new ReadOnlyMemory<byte>[images.Count];
        for (var i = 0; i < contents.Length; i++)
        {
            contents[i] = images[i].Bytes;
        }

        return contents;
    }

    private async Task<GeneratedImage[]> StoreAsync(IReadOnlyList<UpstreamImage> upstreamImages)
    {
        var stored = new GeneratedImage[upstreamImages.Count];
        using var storing = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.Store);
        try
        {
            for (var i = 0; i < stored.Length; i++)
            {
                // Storing must finish even if this client leaves: coalesced waiters and the cache want it.
                var saved = await images.SaveAsync(upstreamImages[i].Bytes, CancellationToken.None);
                stored[i] = new GeneratedImage { ImageId = saved.Id, ContentType = saved.ContentType, RevisedPrompt = upstreamImages[i].RevisedPrompt };
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The upstream did its part; only the gateway's own store failed.
            throw new StoredImageException(ex);
        }

        return stored;
    }

    private static OutcomeReport ReportOf(Lease lease, GenerationJob job, UpstreamResult result) => new()
    {
        LeaseId = lease.Id,
        Kind = result.Kind,
        Model = job.Request.Model,
        Latency = result.Latency,
        RetryAfter = result.RetryAfter,
        RateLimits = result.RateLimits,
        Sent = result.Sent,
        Detail = result.Detail,
    };

    private async Task ReportAsync(string accountId, OutcomeReport report)
    {
        try
        {
            broker.Observe(await grains.Account(accountId).ReportOutcomeAsync(report));
        }
        catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or InconsistentStateException)
        {
            // The account's silo went away: its grain reactivates elsewhere and the lease expires there.
            LogReportFailed(logger, ex);
        }
    }

    private async Task BackoffAsync(int failures, CancellationToken cancellationToken)
    {
        if (_options.BackoffBase <= TimeSpan.Zero)
        {
            return;
        }

        // Full jitter: spread retries so failing accounts are not hit in lockstep.
        var ceiling = Math.Min(_options.BackoffMax.TotalMilliseconds, _options.BackoffBase.TotalMilliseconds * Math.Pow(2, failures - 1));
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The next loop turn reports the cancellation.
        }
    }

    private static GatewayError PassThrough(UpstreamResult result) => new()
    {
        Status = result.StatusCode is >= 400 and < 500 ? result.StatusCode.Value : 400,
        Type = result.Error?.Type ?? GatewayErrors.InvalidRequestType,
        Message = result.Error?.Message ?? "The upstream image service rejected the request.",
        Code = result.Error?.Code ?? (result.Kind == OutcomeKind.ContentPolicy ? "content_policy_violation" : null),
        Param = result.Error?.Param,
    };

    private static GatewayError FinalError(UpstreamResult last, int calls) => last.Kind switch
    {
        OutcomeKind.Timeout => GatewayErrors.UpstreamTimeout(calls),
        OutcomeKind.RateLimited => GatewayErrors.PoolSaturated(last.RetryAfter ?? TimeSpan.FromSeconds(1)),
        _ => GatewayErrors.UpstreamFailed(calls, last.Detail ?? last.Kind.ToString()),
    };

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Request {RequestId}: dispatching failed inside the gateway; the request ends with an error and costs nothing")]
    private static partial void LogDispatchFault(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Request {RequestId}: the attempt on account {AccountId} failed inside the gateway; the lease is returned")]
    private static partial void LogAttemptFault(ILogger logger, Exception exception, string requestId, string accountId);

    /// <summary>The upstream answered, but its images could not be stored.</summary>
    private sealed class StoredImageException(Exception inner) : Exception("Storing generated images failed.", inner);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Reporting an outcome to its account failed; the lease will expire on its own")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Request {RequestId} served by {AccountId} in {LatencyMs:0} ms after {Calls} call(s)")]
    private static partial void LogServed(ILogger logger, string requestId, string accountId, double latencyMs, int calls);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Request {RequestId}: account {AccountId} answered {Outcome}; failing over to another account")]
    private static partial void LogFailover(ILogger logger, string requestId, string accountId, OutcomeKind outcome);
}
