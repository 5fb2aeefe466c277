using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Queueing;

/// <summary>
/// A pool with no account that can serve a model before a request's deadline answers that request
/// 503 pool_unavailable at once; one whose breaker lets a probe through in time keeps it waiting.
/// </summary>
public sealed class PoolUnavailableTests(PoolUnavailableFixture fixture) : IClassFixture<PoolUnavailableFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _model = "unavailable-" + Guid.NewGuid().ToString("N")[..8];

    private CapacityScheduler Scheduler => fixture.Silo<CapacityScheduler>();

    [Fact]
    public async Task When_every_account_fails_the_waiters_are_answered_503_at_once_and_retries_stay_within_the_budget()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = _model + "-a", RequestsPerMinute = 1000, ImagesPerMinute = 1000, Faults = new FaultOptions { ServerErrorRate = 1 } },
                new SimulatedKey { Key = _model + "-b", RequestsPerMinute = 1000, ImagesPerMinute = 1000, Faults = new FaultOptions { ResetRate = 1 } },
            ],
        });

        // One call at a time per account: most requests wait in the queue while the pool fails.
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), _model + "-a", _model, perMinute: 1000, concurrency: 1),
            ClusterFixture.Account(simulator, Id("b"), _model + "-b", _model, perMinute: 1000, concurrency: 1));
        var started = fixture.Time.GetUtcNow();

        const int requests = 20;
        var calls = Enumerable.Range(0, requests).Select(i => Generate($"outage {i}")).ToList();

        // The clock does not move: nobody is left to wait for a deadline a minute away.
        await Eventually.TrueAsync(
            () => calls.All(c => c.IsCompleted),
            "every request is answered with the clock standing still",
            actual: () => $"{calls.Count(c => c.IsCompleted)} answered, {Scheduler.Waiting} waiting, {simulator.Stats.Total.Snapshot().Requests} upstream calls");
        var replies = await Task.WhenAll(calls);

        Assert.Equal(started, fixture.Time.GetUtcNow());
        Assert.All(replies, r => Assert.Equal((503, "pool_unavailable"), (r.Error?.Status, r.Error?.Code)));
        var upstreamCalls = simulator.Stats.Total.Snapshot().Requests;
        Assert.InRange(upstreamCalls, 1, (long)Math.Floor((1 + PoolUnavailableFixture.Budget) * requests));
        foreach (var account in (string[])[Id("a"), Id("b")])
        {
            Assert.Equal(BreakerState.Open, (await fixture.Grains.GetGrain<IAccountGrain>(account).GetStatusAsync()).Breaker);
        }

        // Those that never reached an upstream are told to come back when the first breaker lets a probe through.
        Assert.InRange(replies.Count(r => r.Error!.RetryAfter == PoolUnavailableFixture.BreakerOpen), requests - upstreamCalls, requests);
        Assert.Equal(0, Scheduler.Waiting);
    }

    [Fact]
    public async Task A_breaker_that_lets_a_probe_through_before_the_deadline_keeps_the_request_waiting_and_the_probe_serves_it()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Faults = new FaultOptions { ServerErrorRate = 1 },
            Keys = [new SimulatedKey { Key = _model, RequestsPerMinute = 1000, ImagesPerMinute = 1000 }],
        });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, Id("a"), _model, _model, perMinute: 1000));
        var account = fixture.Grains.GetGrain<IAccountGrain>(Id("a"));
        for (var i = 0; i < 10 && (await account.GetStatusAsync()).Breaker != BreakerState.Open; i++)
        {
            await AnsweredAsync(Generate($"opens the breaker {i}"));
        }

        var opened = fixture.Time.GetUtcNow();
        Assert.Equal(opened + PoolUnavailableFixture.BreakerOpen, (await account.GetStatusAsync()).BreakerOpenUntil);
        simulator.SetFaults(new FaultOptions());

        // The probe is two minutes away: past a one-minute deadline, within a five-minute one.
        var hurried = await AnsweredAsync(Generate("cannot wait two minutes"));
        Assert.Equal((503, "pool_unavailable", PoolUnavailableFixture.BreakerOpen), (hurried.Error?.Status, hurried.Error?.Code, hurried.Error?.RetryAfter));

        var patient = Generate("can wait", TimeSpan.FromMinutes(5));
        await Eventually.TrueAsync(() => Scheduler.Waiting == 1, "the request with time to spare waits");
        Assert.False(patient.IsCompleted);

        // It waits for the probe time, not for its deadline, and is served by the probe.
        var reply = await fixture.Time.AdvanceUntilAsync(TimeSpan.FromSeconds(5), patient);
        Assert.Equal(Id("a"), reply.Result?.AccountId);
        Assert.InRange(reply.QueueWait, PoolUnavailableFixture.BreakerOpen, TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(BreakerState.Closed, (await account.GetStatusAsync()).Breaker);
    }

    /// <summary>The reply to a request that must not wait for the clock to move.</summary>
    private static async Task<GenerationReply> AnsweredAsync(Task<GenerationReply> call)
    {
        await Eventually.TrueAsync(() => call.IsCompleted, "the request is answered with the clock standing still");
        return await call;
    }

    private Task<GenerationReply> Generate(string prompt, TimeSpan? wait = null) =>
        fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(Jobs.For(_model, prompt, fixture.Time.GetUtcNow(), wait: wait ?? Deadline), CancellationToken.None);

    private string Id(string suffix) => $"{_model}-{suffix}";
}
