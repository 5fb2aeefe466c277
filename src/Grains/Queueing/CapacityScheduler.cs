using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Queueing;

/// <summary>
/// This silo's wait queue for pool capacity. A request that no account can lease right now waits
/// here, bounded in number and by its deadline, in strict priority order (high, normal, low) and,
/// within a priority, shared between client keys by weight (deficit round robin). One pump hands out
/// capacity the moment a bucket refills or a lease ends; it sleeps while there is nothing to do.
/// </summary>
public sealed partial class CapacityScheduler : ICapacityObserver, IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private readonly PriorityClass[] _classes =
    [
        new(RequestPriority.High),
        new(RequestPriority.Normal),
        new(RequestPriority.Low),
    ];

    private readonly IGrainFactory _grains;
    private readonly LeaseBroker _broker;
    private readonly AccountDirectory _directory;
    private readonly AccountLoadCache _loads;
    private readonly DispatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CapacityScheduler> _logger;
    private readonly CancellationTokenSource _disposed = new();
    private ICapacityObserver? _observer;
    private Task? _pump;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _signaled;
    private long _sequence;
    private int _count;

    public CapacityScheduler(
        IGrainFactory grains,
        LeaseBroker broker,
        AccountDirectory directory,
        AccountLoadCache loads,
        IOptions<DispatchOptions> options,
        TimeProvider time,
        ILogger<CapacityScheduler> logger)
    {
        _grains = grains;
        _broker = broker;
        _directory = directory;
        _loads = loads;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _loads.Changed += OnLoadChanged;
        _directory.Changed += OnPoolChanged;
    }

    /// <summary>Requests waiting on this silo now.</summary>
    public int Waiting => Volatile.Read(ref _count);

    /// <summary>Waiting requests of one priority class.</summary>
    public int WaitingAt(RequestPriority priority)
    {
        lock (_lock)
        {
            return _classes[(int)priority].Count;
        }
    }

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

        if (!HasWaitersAtOrAbove(job.Priority))
        {
            var attempt = await _broker.TryLeaseAsync(job, excluded, Observer, cancellationToken);
            if (attempt is { Lease: { } lease, Account: { } account })
            {
                return Acquisition.Granted(lease, account, TimeSpan.Zero);
            }

            if (!attempt.AnyTemporary)
            {
                return Acquisition.Failed(GatewayErrors.PoolUnavailable(job.Request.Model, null), _time.GetElapsedTime(started));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = await _directory.GetAsync();
        var (waiter, refused) = Enqueue(job, excluded, snapshot, cancellationToken);
        return refused ?? await waiter!.Completion.Task;
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
        var until = _time.GetUtcNow() + timeout;
        while (Waiting > 0 && _time.GetUtcNow() < until && !cancellationToken.IsCancellationRequested)
        {
            Task wake;
            lock (_lock)
            {
                wake = _wake.Task;
            }

            await Task.WhenAny(wake, Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken));
        }

        List<Waiter> remaining;
        lock (_lock)
        {
            remaining = [.. _classes.SelectMany(c => c.Flows.Values).SelectMany(f => f.Waiters).Where(w => !w.Done)];
        }

        foreach (var waiter in remaining)
        {
            Finish(waiter, Acquisition.Failed(GatewayErrors.ShuttingDown(), _time.GetUtcNow() - waiter.EnqueuedAt));
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
        await _disposed.CancelAsync();
        Signal();
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(false);
        }

        _disposed.Dispose();
    }

    /// <summary>Null until <see cref="Start"/>: without it, waiters still get capacity from refill times and local releases.</summary>
    private ICapacityObserver? Observer => Volatile.Read(ref _observer);

    /// <summary>Creates the observer account grains notify when a lease ends; call it outside grain code.</summary>
    public void Start()
    {
        var observer = _grains.CreateObjectReference<ICapacityObserver>(this);
        Volatile.Write(ref _observer, observer);
    }

    private bool HasWaitersAtOrAbove(RequestPriority priority)
    {
        lock (_lock)
        {
            for (var p = 0; p <= (int)priority; p++)
            {
                if (_classes[p].Count > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private (Waiter? Waiter, Acquisition? Refused) Enqueue(GenerationJob job, IReadOnlySet<string> excluded, PoolSnapshot pool, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        Waiter waiter;
        Waiter? displaced = null;
        lock (_lock)
        {
            if (_count >= _options.QueueDepth)
            {
                displaced = LatestBelow(job.Priority);
                if (displaced is null)
                {
                    return (null, Acquisition.Failed(GatewayErrors.PoolSaturated(RetryAfter(job, pool)), TimeSpan.Zero));
                }
            }

            waiter = new Waiter(job, excluded, ++_sequence, now);
            var priorityClass = _classes[(int)job.Priority];
            if (!priorityClass.Flows.TryGetValue(job.ClientKeyId, out var flow))
            {
                flow = new Flow(job.ClientKeyId, job.Weight);
                priorityClass.Flows.Add(job.ClientKeyId, flow);
            }

            flow.Weight = job.Weight;
            waiter.Flow = flow;
            waiter.Node = flow.Waiters.AddLast(waiter);
            flow.ActiveNode ??= priorityClass.Active.AddLast(flow);
            priorityClass.Count++;
            priorityClass.Images += waiter.Cost;
            _count++;

            waiter.DeadlineTimer = _time.CreateTimer(
                static state =>
                {
                    var (queue, w) = ((CapacityScheduler, Waiter))state!;
                    queue.OnDeadline(w);
                },
                (this, waiter),
                Max(job.Deadline - now, TimeSpan.Zero),
                Timeout.InfiniteTimeSpan);
            waiter.Cancellation = cancellationToken.UnsafeRegister(
                static state =>
                {
                    var (queue, w) = ((CapacityScheduler, Waiter))state!;
                    queue.Finish(w, Acquisition.Failed(GatewayErrors.Cancelled(), queue._time.GetUtcNow() - w.EnqueuedAt));
                },
                (this, waiter));
        }

        if (displaced is not null)
        {
            Finish(displaced, Acquisition.Failed(GatewayErrors.PoolSaturated(RetryAfter(displaced.Job, pool)), now - displaced.EnqueuedAt));
        }

        EnsurePump();
        Signal();
        return (waiter, null);
    }

    private void OnDeadline(Waiter waiter) =>
        Finish(waiter, Acquisition.Failed(GatewayErrors.DeadlineExceeded(_time.GetUtcNow() - waiter.EnqueuedAt), _time.GetUtcNow() - waiter.EnqueuedAt));

    /// <summary>Answers a waiter once; later answers (deadline after lease, cancellation after deadline) are ignored.</summary>
    private bool Finish(Waiter waiter, Acquisition result)
    {
        lock (_lock)
        {
            if (waiter.Done)
            {
                return false;
            }

            waiter.Done = true;
            var flow = waiter.Flow;
            var priorityClass = _classes[(int)waiter.Job.Priority];
            if (waiter.Node is not null)
            {
                flow.Waiters.Remove(waiter.Node);
                waiter.Node = null;
            }

            priorityClass.Count--;
            priorityClass.Images -= waiter.Cost;
            _count--;
            if (flow.Waiters.Count == 0)
            {
                RetireFlow(priorityClass, flow);
            }
        }

        waiter.DeadlineTimer?.Dispose();
        waiter.Cancellation.Unregister();
        waiter.Completion.TrySetResult(result);
        return true;
    }

    private static void RetireFlow(PriorityClass priorityClass, Flow flow)
    {
        if (flow.ActiveNode is not null)
        {
            priorityClass.Active.Remove(flow.ActiveNode);
            flow.ActiveNode = null;
        }

        flow.Deficit = 0;
        flow.InTurn = false;
        priorityClass.Flows.Remove(flow.ClientKeyId);
    }

    /// <summary>The most recent waiter of the lowest class below <paramref name="priority"/>: the one a more urgent arrival displaces.</summary>
    private Waiter? LatestBelow(RequestPriority priority)
    {
        for (var p = _classes.Length - 1; p > (int)priority; p--)
        {
            Waiter? latest = null;
            foreach (var flow in _classes[p].Active)
            {
                for (var node = flow.Waiters.Last; node is not null; node = node.Previous)
                {
                    if (!node.Value.Done && !node.Value.Attempting)
                    {
                        if (latest is null || node.Value.Sequence > latest.Sequence)
                        {
                            latest = node.Value;
                        }

                        break;
                    }
                }
            }

            if (latest is not null)
            {
                return latest;
            }
        }

        return null;
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

        var requestsAhead = 1;
        var imagesAhead = job.Request.N;
        lock (_lock)
        {
            for (var p = 0; p <= (int)job.Priority; p++)
            {
                requestsAhead += _classes[p].Count;
                imagesAhead += _classes[p].Images;
            }
        }

        var seconds = Math.Max(requestsAhead / requestsPerSecond, imagesAhead / imagesPerSecond);
        var wait = TimeSpan.FromSeconds(seconds);
        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    private void OnLoadChanged(AccountLoad load)
    {
        if (load.Blocked == DenyReason.None && Volatile.Read(ref _count) > 0)
        {
            Signal();
        }
    }

    private void OnPoolChanged(PoolSnapshot snapshot)
    {
        if (Volatile.Read(ref _count) > 0)
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

            DateTimeOffset? nextWake = null;
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

    /// <summary>
    /// One pass over the queue: classes in priority order; within a class, flows in deficit round
    /// robin. A model that had no room for one waiter is skipped for the rest of the pass, so a lower
    /// class never takes capacity a higher one was refused. Returns when to look again.
    /// </summary>
    private async Task<DateTimeOffset?> PassAsync()
    {
        var blocked = new Dictionary<(string Model, int Images), DateTimeOffset?>();
        foreach (var priorityClass in _classes)
        {
            await ServeClassAsync(priorityClass, blocked);
        }

        DateTimeOffset? next = null;
        foreach (var until in blocked.Values)
        {
            if (until is { } at && (next is null || at < next))
            {
                next = at;
            }
        }

        return next;
    }

    /// <summary>
    /// Deficit round robin over the flows of one class. A flow whose turn is interrupted because its
    /// model has no room keeps its place and deficit, so the next free capacity is its; a flow whose
    /// deficit runs out goes to the back. Stops once every flow in a row could do nothing.
    /// </summary>
    private async Task ServeClassAsync(PriorityClass priorityClass, Dictionary<(string Model, int Images), DateTimeOffset?> blocked)
    {
        var unproductive = 0;
        LinkedListNode<Flow>? node;
        lock (_lock)
        {
            node = priorityClass.Active.First;
        }

        while (true)
        {
            Flow flow;
            Waiter? waiter;
            lock (_lock)
            {
                if (node?.List is null)
                {
                    // The flow emptied and left the list meanwhile: start again from the front.
                    node = priorityClass.Active.First;
                }

                if (node is null || unproductive >= priorityClass.Active.Count)
                {
                    return;
                }

                flow = node.Value;
                if (!flow.InTurn)
                {
                    flow.InTurn = true;
                    flow.Deficit += Math.Max(flow.Weight, 0.01);
                }

                waiter = NextEligible(flow, blocked);
                if (waiter is null)
                {
                    var next = node.Next ?? priorityClass.Active.First;
                    if (flow.Waiters.Count == 0)
                    {
                        RetireFlow(priorityClass, flow);
                    }
                    else
                    {
                        unproductive++;
                    }

                    node = ReferenceEquals(next, node) ? priorityClass.Active.First : next;
                    continue;
                }

                if (waiter.Cost > flow.Deficit)
                {
                    // Out of deficit: the turn ends and the flow goes to the back; its deficit grows
                    // with every turn until its request fits.
                    var next = node.Next ?? priorityClass.Active.First;
                    flow.InTurn = false;
                    priorityClass.Active.Remove(node);
                    priorityClass.Active.AddLast(node);
                    node = ReferenceEquals(next, node) ? priorityClass.Active.First : next;
                    continue;
                }

                waiter.Attempting = true;
            }

            LeaseAttempt attempt;
            try
            {
                attempt = await _broker.TryLeaseAsync(waiter.Job, waiter.Excluded, Observer, CancellationToken.None);
            }
            finally
            {
                lock (_lock)
                {
                    waiter.Attempting = false;
                }
            }

            if (attempt is { Lease: { } lease, Account: { } account })
            {
                lock (_lock)
                {
                    flow.Deficit -= waiter.Cost;
                }

                if (!Finish(waiter, Acquisition.Granted(lease, account, _time.GetUtcNow() - waiter.EnqueuedAt)))
                {
                    // Cancelled or past its deadline while we asked: give the capacity back untouched.
                    await ReleaseUnusedAsync(lease, waiter.Job);
                }

                unproductive = 0;
                continue;
            }

            if (!attempt.AnyTemporary)
            {
                Finish(waiter, Acquisition.Failed(GatewayErrors.PoolUnavailable(waiter.Job.Request.Model, null), _time.GetUtcNow() - waiter.EnqueuedAt));
                continue;
            }

            if (waiter.Excluded.Count == 0)
            {
                blocked[(waiter.Job.Request.Model, waiter.Cost)] = attempt.EarliestRetry;
            }

            lock (_lock)
            {
                unproductive++;
                node = node?.List is null ? priorityClass.Active.First : node.Next ?? priorityClass.Active.First;
            }
        }
    }

    private static Waiter? NextEligible(Flow flow, Dictionary<(string Model, int Images), DateTimeOffset?> blocked)
    {
        // Look past a blocked head (a model with no room) for a request this key could still run,
        // but not arbitrarily far: a key's own order mostly holds.
        const int Lookahead = 32;
        var seen = 0;
        for (var node = flow.Waiters.First; node is not null && seen < Lookahead; node = node.Next, seen++)
        {
            var candidate = node.Value;
            if (!candidate.Done && !blocked.ContainsKey((candidate.Job.Request.Model, candidate.Cost))
                && !blocked.ContainsKey((candidate.Job.Request.Model, 1)))
            {
                return candidate;
            }
        }

        return null;
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
