using System.Collections.Concurrent;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Queueing;

/// <summary>
/// Waiting for capacity on a pool of one account that earns one request a minute (paced at 99.5 %: a
/// token every 60.3 s of fake time), so every grant is an explicit step of the clock.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class CapacitySchedulerTests(ClusterFixture fixture)
{
    private static readonly TimeSpan OneToken = TimeSpan.FromSeconds(62);

    private readonly string _model = "queue-model-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<string> _served = new();
    private readonly List<Task<GenerationReply>> _pending = [];

    private CapacityScheduler Scheduler => fixture.Silo<CapacityScheduler>();

    [Fact]
    public async Task A_saturated_pool_serves_waiters_in_order_of_priority()
    {
        await OneSlowAccountAsync();

        foreach (var (name, priority) in new[]
                 {
                     ("low-1", RequestPriority.Low), ("normal-1", RequestPriority.Normal), ("high-1", RequestPriority.High),
                     ("normal-2", RequestPriority.Normal), ("high-2", RequestPriority.High),
                 })
        {
            await EnqueueAsync(name, Jobs.For(_model, name, fixture.Time.GetUtcNow(), priority: priority));
        }

        await GrantAsync(5);

        Assert.Equal(["high-1", "high-2", "normal-1", "normal-2", "low-1"], _served);
    }

    [Fact]
    public async Task Two_keys_of_equal_weight_get_equal_shares_however_they_arrived()
    {
        await OneSlowAccountAsync();

        foreach (var tenant in (string[])["a", "b"])
        {
            for (var i = 1; i <= 4; i++)
            {
                await EnqueueAsync($"{tenant}{i}", Jobs.For(_model, $"{tenant}{i}", fixture.Time.GetUtcNow(), tenant));
            }
        }

        await GrantAsync(8);

        // Key a flooded first, yet key b's requests do not wait behind all of a's.
        Assert.Equal(["a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4"], _served);
    }

    [Fact]
    public async Task Capacity_is_shared_by_weight()
    {
        await OneSlowAccountAsync();

        for (var i = 1; i <= 4; i++)
        {
            await EnqueueAsync($"heavy{i}", Jobs.For(_model, $"heavy{i}", fixture.Time.GetUtcNow(), "heavy", weight: 2));
        }

        for (var i = 1; i <= 2; i++)
        {
            await EnqueueAsync($"light{i}", Jobs.For(_model, $"light{i}", fixture.Time.GetUtcNow(), "light", weight: 1));
        }

        await GrantAsync(6);

        Assert.Equal(["heavy1", "heavy2", "light1", "heavy3", "heavy4", "light2"], _served);
    }

    [Fact]
    public async Task A_disconnected_waiter_leaves_at_once_and_costs_nothing_upstream()
    {
        var simulator = await OneSlowAccountAsync();
        var waitingBefore = Scheduler.Waiting;

        using var leaving = new CancellationTokenSource();
        var gone = fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(Jobs.For(_model, "gone", fixture.Time.GetUtcNow()), leaving.Token);
        await Eventually.TrueAsync(() => Scheduler.Waiting == waitingBefore + 1, "the first request waits");
        await EnqueueAsync("stays", Jobs.For(_model, "stays", fixture.Time.GetUtcNow()));

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
        await Eventually.TrueAsync(() => Scheduler.Waiting == waitingBefore + 1, "the disconnected request left the queue");

        await GrantAsync(1);
        Assert.Equal(["stays"], _served);
        Assert.Equal(2, simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task Overflow_is_a_503_whose_retry_after_follows_the_refill_rate_and_urgent_arrivals_displace_the_latest_less_urgent_waiter()
    {
        await OneSlowAccountAsync();
        var calls = new List<Task<GenerationReply>>();
        for (var i = 0; i < ClusterFixture.QueueDepth - 1; i++)
        {
            calls.Add(Dispatch(Jobs.For(_model, $"normal {i}", fixture.Time.GetUtcNow())));
        }

        var low = Dispatch(Jobs.For(_model, "low", fixture.Time.GetUtcNow(), priority: RequestPriority.Low));
        await Eventually.TrueAsync(() => Scheduler.Waiting == ClusterFixture.QueueDepth, "the queue is full");

        // A normal arrival to a full queue takes the place of the low one.
        var latestNormal = Dispatch(Jobs.For(_model, "latest normal", fixture.Time.GetUtcNow()));
        var pushedOut = await low;
        Assert.Equal((503, "pool_saturated"), (pushedOut.Error?.Status, pushedOut.Error?.Code));
        await Eventually.TrueAsync(() => Scheduler.WaitingAt(RequestPriority.Normal) == ClusterFixture.QueueDepth, "eight normal requests wait");

        // Nothing below normal is left to displace: refused, told to come back when the queue ahead
        // has drained (eight waiting and itself, at one request per 60.3 s).
        var refused = await Dispatch(Jobs.For(_model, "one too many", fixture.Time.GetUtcNow()));
        Assert.Equal((503, "pool_saturated"), (refused.Error?.Status, refused.Error?.Code));
        Assert.InRange(refused.Error!.RetryAfter!.Value.TotalSeconds, 9 * 60.2, 9 * 60.4);

        // A high arrival displaces the most recent normal one and is served first.
        var urgent = Dispatch(Jobs.For(_model, "urgent", fixture.Time.GetUtcNow(), priority: RequestPriority.High));
        var displaced = await latestNormal;
        Assert.Equal((503, "pool_saturated"), (displaced.Error?.Status, displaced.Error?.Code));
        fixture.Time.Advance(OneToken);
        Assert.NotNull((await urgent).Result);

        // Let the rest through so no waiter outlives the test.
        for (var i = 1; i <= calls.Count; i++)
        {
            fixture.Time.Advance(OneToken);
            var served = i;
            await Eventually.TrueAsync(() => calls.Count(c => c.IsCompleted) == served, $"{served} of the normal requests are served");
        }

        Assert.All(await Task.WhenAll(calls), r => Assert.NotNull(r.Result));
    }

    [Fact]
    public async Task A_request_whose_deadline_passes_gets_a_timeout_and_spends_no_token()
    {
        var simulator = await OneSlowAccountAsync();

        var late = Dispatch(Jobs.For(_model, "late", fixture.Time.GetUtcNow(), wait: TimeSpan.FromSeconds(30)));
        await Eventually.TrueAsync(() => Scheduler.Waiting > 0, "the request waits");
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        var reply = await late;
        Assert.Equal((504, "queue_timeout"), (reply.Error?.Status, reply.Error?.Code));
        Assert.Equal(TimeSpan.FromSeconds(30), reply.QueueWait);

        // The token that arrives next is still there for the next request.
        fixture.Time.Advance(OneToken - TimeSpan.FromSeconds(30));
        Assert.NotNull((await Dispatch(Jobs.For(_model, "next", fixture.Time.GetUtcNow()))).Result);
        Assert.Equal(2, simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task A_waiter_that_avoids_the_free_account_does_not_hold_up_the_waiter_behind_it_that_can_use_it()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = _model }] });
        var free = ClusterFixture.Account(simulator, _model + "-free", _model, _model);
        var slow = ClusterFixture.Account(simulator, _model + "-slow", _model, _model, perMinute: 1);
        await fixture.UpsertAccountsAsync(free, slow);
        HashSet<string> avoidFree = [free.Id];

        // The slow account's only token goes; a request that avoids the free account (it failed there) now waits.
        var first = await Scheduler.AcquireAsync(Jobs.For(_model, "first", fixture.Time.GetUtcNow()), avoidFree, CancellationToken.None);
        Assert.Equal(slow.Id, first.Account?.Id);
        await ReleaseAsync(first, sent: true);
        using var leaving = new CancellationTokenSource();
        var avoiding = Scheduler.AcquireAsync(Jobs.For(_model, "avoiding", fixture.Time.GetUtcNow()), avoidFree, leaving.Token);
        await Eventually.TrueAsync(() => Scheduler.Waiting == 1, "the avoiding request waits for the slow account");

        // The same key's next request queues behind it, and the free account serves it at once.
        var plain = Scheduler.AcquireAsync(Jobs.For(_model, "plain", fixture.Time.GetUtcNow()), new HashSet<string>(), CancellationToken.None);
        await Eventually.TrueAsync(() => plain.IsCompleted, "the request behind is served by the free account with the clock standing still");
        Assert.Equal(free.Id, (await plain).Account?.Id);
        await ReleaseAsync(await plain, sent: false);

        await leaving.CancelAsync();
        Assert.Equal("client_closed_request", (await avoiding).Error?.Code);
    }

    private async Task ReleaseAsync(Acquisition acquisition, bool sent) =>
        await fixture.Grains.GetGrain<IAccountGrain>(acquisition.Account!.Id).ReportOutcomeAsync(new OutcomeReport
        {
            LeaseId = acquisition.Lease!.Id,
            Kind = sent ? OutcomeKind.Success : OutcomeKind.Cancelled,
            Model = _model,
            Sent = sent,
        });

    private async Task<SimulatorServer> OneSlowAccountAsync()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = _model }] });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, _model + "-a", _model, _model, perMinute: 1));

        // The first request takes the only token; everything after it has to wait.
        Assert.NotNull((await Dispatch(Jobs.For(_model, "first", fixture.Time.GetUtcNow()))).Result);
        return simulator;
    }

    private Task<GenerationReply> Dispatch(GenerationJob job) =>
        fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(job, CancellationToken.None);

    /// <summary>Starts a request and waits until it is queued, so arrival order is the order of the calls.</summary>
    private async Task EnqueueAsync(string name, GenerationJob job)
    {
        var before = Scheduler.Waiting;
        var call = Dispatch(job);
        await Eventually.TrueAsync(() => Scheduler.Waiting == before + 1, $"{name} waits");
        _ = call.ContinueWith(t =>
        {
            if (t.Result.Result is not null)
            {
                _served.Enqueue(name);
            }
        }, TaskScheduler.Default);
        _pending.Add(call);
    }

    private async Task GrantAsync(int tokens)
    {
        for (var i = 1; i <= tokens; i++)
        {
            fixture.Time.Advance(OneToken);
            var expected = i;
            await Eventually.TrueAsync(() => _served.Count == expected, $"{expected} waiter(s) served");
        }

        Assert.All(await Task.WhenAll(_pending), r => Assert.NotNull(r.Result));
    }
}
