using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Queueing;

/// <summary>
/// This silo's pump between its <see cref="FairQueue"/> and the pool. A request that no account
/// can lease right now waits in the queue; the pump wakes when a lease ends, a bucket refills or the
/// pool changes, walks one pass of the queue asking accounts for leases in the queue's order, and
/// sleeps while there is nothing to do. It also answers waiters whose deadline passed or whose
/// client left. The order itself is the queue's; the pump only asks and answers.
/// </summary>
public sealed partial class CapacityScheduler : ICapacityObserver, IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private readonly FairQueue _queue;
    private readonly IGrainFactory _grains;
    private readonly LeaseBroker _broker;
    private readonly AccountDirectory _directory;
    private readonly AccountLoadCache _loads;
    private readonly TimeProvider _time;
    private readonly ILogger<CapacityScheduler> _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ITimer _deadlines;
    private ICapacityObserver? _observer;
    private Task? _pump;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _signaled;

    public CapacityScheduler(
        IGrainFactory grains,
        LeaseBroker broker,
        AccountDirectory directory,
        AccountLoadCache loads,
        IOptions<DispatchOptions> options,
        TimeProvider time,
        ILogger<CapacityScheduler> logger)
    {
        _queue = new FairQueue(options.Value.QueueDepth);
        _grains = grains;
        _broker = broker;
        _directory = directory;
        _loads = loads;
        _time = time;
        _logger = logger;
        _deadlines = time.CreateTimer(static s => ((CapacityScheduler)s!).ExpireWaiters(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _loads.Changed += OnLoadChanged;
        _directory.Changed += OnPoolChanged;
    }

    /// <summary>Requests waiting on this silo now.</summary>
    public int Waiting => _queue.Count;

    /// <summary>Waiting requests of one priority class.</summary>
    public int WaitingAt(RequestPriority priority) => _queue.CountAt(priority);

    /// <summary>Null until <see cref="Start"/>: without it, waiters still get capacity from refill times and local releases.</summary>
    private ICapacityObserver? Observer => Volatile.Read(ref _observer);

    /// <summary>
    /// A lease for <paramref name="job"/>, at once if an account has room and nobody of the same or
    /// higher priority waits, else after waiting in the queue; or the error the request ends with.
    /// </summary>
    public async Task<Acquisition> AcquireAsync(GenerationJob job, IReadOnlySet<string> excluded, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (job.Deadline <= _time.GetUtcNow())
        {
            return Acquisition.Failed(GatewayErrors.DeadlineExceeded(TimeSpan.Zero), TimeSpan.Zero);
        }

        if (!_queue.AnyAtOrAbove(job.Priority))
        {
            var attempt = await _broker.TryLeaseAsync(job, excluded, Observer, cancellationToken);
            if (attempt is { Lease: { } lease, Account: { } account })
            {
                return Acquisition.Granted(lease, account, TimeSpan.Zero);
            }

            if (attempt.Hopeless(job.Deadline))
            {
                return Acquisition.Failed(Unavailable(job, attempt), _time.GetElapsedTime(started));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pool = await _directory.GetAsync();
        var now = _time.GetUtcNow();
        var (waiter, displaced) = _queue.Enqueue(job, excluded, now);
        if (displaced is not null)
        {
            Answer(displaced, Acquisition.Failed(GatewayErrors.PoolSaturated(RetryAfter(displaced.Job, pool)), now - displaced.EnqueuedAt));
        }

        if (waiter is null)
        {
            return Acquisition.Failed(GatewayErrors.PoolSaturated(RetryAfter(job, pool)), TimeSpan.Zero);
        }

        waiter.Cancellation = cancellationToken.UnsafeRegister(
            static state =>
            {
                var (scheduler, w) = ((CapacityScheduler, Waiter))state!;
                if (scheduler._queue.Remove(w))
                {
                    Answer(w, Acquisition.Failed(GatewayErrors.Cancelled(), scheduler._time.GetUtcNow() - w.EnqueuedAt));
                }
            },
            (this, waiter));
        ArmDeadlines();
        EnsurePump();
        Signal();
        return await waiter.Completion.Task;
    }

    /// <summary>An account grain says a lease ended: capacity may be free for someone waiting.</summary>
    public Task CapacityFreed(string accountId)
    {
        Signal();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Keeps serving until nobody waits or <paramref name="timeout"/> passes; whoever still waits then
    /// is answered 503 with a short Retry-After, so that nothing accepted ends in silence.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A stopping process has wall-clock time to finish, whatever clock the grains keep: a drain
        // timed on a clock that nobody advances would never end.
        var started = TimeProvider.System.GetTimestamp();
        while (Waiting > 0 && TimeProvider.System.GetElapsedTime(started) < timeout && !cancellationToken.IsCancellationRequested)
        {
            Task wake;
            lock (_lock)
            {
                wake = _wake.Task;
            }

            await Task.WhenAny(wake, Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken));
        }

        var remaining = _queue.RemoveAll();
        foreach (var waiter in remaining)
        {
            Answer(waiter, Acquisition.Failed(GatewayErrors.ShuttingDown(), _time.GetUtcNow() - waiter.EnqueuedAt));
        }

        if (remaining.Count > 0)
        {
            LogDrainTimedOut(_logger, remaining.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _loads.Changed -= OnLoadChanged;
        _directory.Changed -= OnPoolChanged;
        await _deadlines.DisposeAsync();
        await _disposed.CancelAsync();
        Signal();
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(false);
        }

        _disposed.Dispose();
    }

    /// <summary>Creates the observer account grains notify when a lease ends; call it outside grain code.</summary>
    public void Start()
    {
        var observer = _grains.CreateObjectReference<ICapacityObserver>(this);
        Volatile.Write(ref _observer, observer);
    }

    /// <summary>Completes a waiter the queue has let go of.</summary>
    private static void Answer(Waiter waiter, Acquisition result)
    {
        waiter.Cancellation.Unregister();
        waiter.Completion.TrySetResult(result);
    }

    private void ExpireWaiters()
    {
        var now = _time.GetUtcNow();
        foreach (var waiter in _queue.RemoveExpired(now))
        {
            Answer(waiter, Acquisition.Failed(GatewayErrors.DeadlineExceeded(now - waiter.EnqueuedAt), now - waiter.EnqueuedAt));
        }

        ArmDeadlines();
    }

    private void ArmDeadlines()
    {
        lock (_lock)
        {
            var next = _queue.NextDeadline();
            var due = next is { } at ? Max(at - _time.GetUtcNow(), TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
            try
            {
                _deadlines.Change(due, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The silo is stopping; DrainAsync answers whoever is left.
            }
        }
    }

    /// <summary>How long until the pool has served everyone ahead of this request, at its refill rates.</summary>
    private TimeSpan RetryAfter(GenerationJob job, PoolSnapshot pool)
    {
        double requestsPerSecond = 0;
        double imagesPerSecond = 0;
        foreach (var account in pool.Accounts)
        {
            if (account.Enabled && account.Serves(job.Request.Model))
            {
                var load = _loads.Get(account.Id);
                requestsPerSecond += load?.RequestRatePerSecond ?? account.RequestsPerMinute / 60.0;
                imagesPerSecond += load?.ImageRatePerSecond ?? account.ImagesPerMinute / 60.0;
            }
        }

        if (requestsPerSecond <= 0 || imagesPerSecond <= 0)
        {
            return MaxRetryAfter;
        }

        var (requestsAhead, imagesAhead) = _queue.AheadOf(job.Priority);
        var seconds = Math.Max((requestsAhead + 1) / requestsPerSecond, (imagesAhead + job.Request.N) / imagesPerSecond);
        var wait = TimeSpan.FromSeconds(seconds);
        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    /// <summary>503 pool_unavailable, come back when the first breaker or exclusion lets a probe through.</summary>
    private GatewayError Unavailable(GenerationJob job, LeaseAttempt attempt)
    {
        var retryAfter = attempt.NextProbe is { } at ? at - _time.GetUtcNow() : (TimeSpan?)null;
        return GatewayErrors.PoolUnavailable(
            job.Request.Model,
            retryAfter is null ? null : retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : retryAfter > MaxRetryAfter ? MaxRetryAfter : retryAfter);
    }

    private void OnLoadChanged(AccountLoad load)
    {
        // Capacity may be free; or an account went out (a breaker opened, a key was refused), which
        // may leave waiters that cannot be served before their deadline: they are answered at once.
        if ((load.Blocked == DenyReason.BreakerOpen || !load.Blocked.IsTemporary()) && Waiting > 0)
        {
            Signal();
        }
    }

    private void OnPoolChanged(PoolSnapshot snapshot)
    {
        if (Waiting > 0)
        {
            Signal();
        }
    }

    private void Signal()
    {
        lock (_lock)
        {
            _signaled = true;
            _wake.TrySetResult();
        }
    }

    private void EnsurePump()
    {
        lock (_lock)
        {
            _pump ??= Task.Run(PumpAsync);
        }
    }

    private async Task PumpAsync()
    {
        while (!_disposed.IsCancellationRequested)
        {
            Task wake;
            lock (_lock)
            {
                _signaled = false;
                if (_wake.Task.IsCompleted)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            DateTimeOffset? nextWake;
            try
            {
                nextWake = await PassAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failed pass (a silo in trouble, a grain call that threw) must not stop the pump.
                LogPassFailed(_logger, ex);
                nextWake = _time.GetUtcNow() + TimeSpan.FromMilliseconds(200);
            }

            lock (_lock)
            {
                if (_signaled)
                {
                    continue;
                }

                wake = _wake.Task;
            }

            using var delay = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            var sleep = nextWake is { } at ? Max(at - _time.GetUtcNow(), TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
            await Task.WhenAny(wake, Task.Delay(sleep, _time, delay.Token));
            await delay.CancelAsync();
        }
    }

    /// <summary>One pass: the queue names whose turn it is, the pump asks the pool and reports back. Returns when to look again.</summary>
    private async Task<DateTimeOffset?> PassAsync()
    {
        _queue.BeginPass();
        while (_queue.Next() is { } waiter)
        {
            LeaseAttempt attempt;
            try
            {
                attempt = await _broker.TryLeaseAsync(waiter.Job, waiter.Excluded, Observer, CancellationToken.None);
            }
            catch
            {
                _queue.Blocked(waiter, null);
                throw;
            }

            if (attempt is { Lease: { } lease, Account: { } account })
            {
                if (_queue.Granted(waiter))
                {
                    Answer(waiter, Acquisition.Granted(lease, account, _time.GetUtcNow() - waiter.EnqueuedAt));
                }
                else
                {
                    // Cancelled or past its deadline while we asked: give the capacity back untouched.
                    await ReleaseUnusedAsync(lease, waiter.Job);
                }
            }
            else
            {
                if (attempt.UnavailableUntil is { } until)
                {
                    // Nothing can serve this model before then: whoever cannot wait that long is
                    // answered now rather than at a deadline that cannot be met.
                    var error = Unavailable(waiter.Job, attempt);
                    var now = _time.GetUtcNow();
                    foreach (var unservable in _queue.RemoveUnservable(waiter, until))
                    {
                        Answer(unservable, Acquisition.Failed(error, now - unservable.EnqueuedAt));
                    }
                }

                if (!waiter.Done)
                {
                    _queue.Blocked(waiter, attempt.EarliestRetry);
                }
            }
        }

        return _queue.EndPass();
    }

    private async Task ReleaseUnusedAsync(Lease lease, GenerationJob job)
    {
        var load = await _grains.GetGrain<IAccountGrain>(lease.AccountId).ReportOutcomeAsync(new OutcomeReport
        {
            LeaseId = lease.Id,
            Kind = OutcomeKind.Cancelled,
            Model = job.Request.Model,
            Sent = false,
            Detail = "the request left the queue before it could use the lease",
        });
        _loads.Observe(load);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "A pass of the wait queue failed; it is tried again shortly")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "{Count} request(s) still waited for capacity when this silo stopped; they were answered 503 with Retry-After")]
    private static partial void LogDrainTimedOut(ILogger logger, int count);
}
