using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>Faults that belong to one account move the request to another until one serves it.</summary>
[Collection(ClusterTests.Name)]
public sealed class FailoverTests(ClusterFixture fixture)
{
    private readonly string _model = "failover-" + Guid.NewGuid().ToString("N")[..8];

    private IDispatcherGrain Dispatcher => fixture.Grains.GetGrain<IDispatcherGrain>(0);

    [Fact]
    public async Task Each_fault_moves_the_request_to_an_account_it_has_not_tried_until_one_serves_it()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "fo-500", Faults = new FaultOptions { ServerErrorRate = 1 } },
                new SimulatedKey { Key = "fo-reset", Faults = new FaultOptions { ResetRate = 1 } },
                new SimulatedKey { Key = "fo-truncated", Faults = new FaultOptions { TruncatedRate = 1 } },
                new SimulatedKey { Key = "fo-healthy" },
            ],
        });

        // The healthy account is the least desirable, so the three failing ones are surely tried first.
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("500"), "fo-500", _model) with { Weight = 10 },
            ClusterFixture.Account(simulator, Id("reset"), "fo-reset", _model) with { Weight = 10 },
            ClusterFixture.Account(simulator, Id("truncated"), "fo-truncated", _model) with { Weight = 10 },
            ClusterFixture.Account(simulator, Id("healthy"), "fo-healthy", _model) with { Weight = 0.1 });

        var reply = await Generate("a lighthouse");

        // Three faults are not the end of it: the fourth account, not yet tried, serves.
        Assert.Equal(Id("healthy"), reply.Result?.AccountId);
        Assert.Equal(4, reply.Result?.Attempts);
        var keys = simulator.Stats.Snapshot().Keys;
        Assert.Equal(
            (1L, 1L, 1L, 1L),
            (keys["fo-500"].FaultsServerError, keys["fo-reset"].FaultsReset, keys["fo-truncated"].FaultsTruncated, keys["fo-healthy"].Served));
    }

    [Fact]
    public async Task An_account_already_tried_is_tried_again_only_when_no_other_can_serve()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "rr-a", Faults = new FaultOptions { ServerErrorRate = 1 }, RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
                new SimulatedKey { Key = "rr-b", Faults = new FaultOptions { MalformedRate = 1 }, RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
            ],
        });
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "rr-a", _model, perMinute: 6000),
            ClusterFixture.Account(simulator, Id("b"), "rr-b", _model, perMinute: 6000));

        var reply = await fixture.Time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), Generate("doomed everywhere"));

        // Three rounds over both accounts, each account once per round: six calls, three each. (Limits
        // far above these calls: an account is never skipped for a token it has not yet earned.)
        Assert.Equal((502, "upstream_error"), (reply.Error?.Status, reply.Error?.Code));
        var keys = simulator.Stats.Snapshot().Keys;
        Assert.Equal((3L, 3L), (keys["rr-a"].FaultsServerError, keys["rr-b"].FaultsMalformed));
    }

    [Fact]
    public async Task A_hanging_call_is_not_sent_again_before_the_accounts_timeout_has_passed()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "hg-a", Faults = new FaultOptions { TimeoutRate = 1 } }, new SimulatedKey { Key = "hg-b" }],
        });
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "hg-a", _model) with { Weight = 10, Timeout = TimeSpan.FromSeconds(60) },
            ClusterFixture.Account(simulator, Id("b"), "hg-b", _model) with { Weight = 0.1 });

        var pending = Generate("a slow one");
        await Eventually.TrueAsync(() => simulator.Stats.Keys["hg-a"].Snapshot().FaultsTimeout == 1, "the call hangs on the first account");

        // A second before the timeout the first call may still complete (and be billed): nothing else goes out.
        // The fake clock fires the timers due by then inside Advance, and the timeout is not one of them.
        fixture.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(pending.IsCompleted);
        Assert.Equal(0, simulator.Stats.Keys["hg-b"].Snapshot().Requests);

        var reply = await fixture.Time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), pending);
        Assert.Equal(Id("b"), reply.Result?.AccountId);
        Assert.Equal((1L, 1L), (simulator.Stats.Keys["hg-a"].Snapshot().Requests, simulator.Stats.Keys["hg-b"].Snapshot().Requests));
    }

    [Fact]
    public async Task A_retry_goes_back_to_an_account_it_tried_rather_than_wait_for_one_that_is_out()
    {
        // The account the request has not tried is out for a while (its bucket is empty); the one
        // that faulted is fine again: the retry goes there now instead of queueing behind the other.
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "out-a", Faults = new FaultOptions() }, new SimulatedKey { Key = "out-c" }],
        });
        var slow = ClusterFixture.Account(simulator, Id("a"), "out-a", _model, perMinute: 2);
        var flaky = ClusterFixture.Account(simulator, Id("c"), "out-c", _model) with { Timeout = TimeSpan.FromSeconds(3) };
        await fixture.UpsertAccountsAsync(slow, flaky with { Enabled = false });
        Assert.Equal(Id("a"), (await Generate("empties the slow account")).Result?.AccountId);

        await fixture.UpsertAccountsAsync(flaky);
        simulator.SetFaults(new FaultOptions { TimeoutRate = 1 });
        var pending = Generate("meets a hang first");
        await Eventually.TrueAsync(() => simulator.Stats.Keys["out-c"].Snapshot().FaultsTimeout == 1, "the call hangs");
        simulator.SetFaults(new FaultOptions());

        var reply = await fixture.Time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), pending);
        Assert.Equal(Id("c"), reply.Result?.AccountId);
        Assert.Equal(2, reply.Result?.Attempts);
    }

    private Task<GenerationReply> Generate(string prompt) =>
        Dispatcher.GenerateAsync(Jobs.For(_model, prompt, fixture.Time.GetUtcNow()), CancellationToken.None);

    private string Id(string suffix) => $"{_model}-{suffix}";
}
