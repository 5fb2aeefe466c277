using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Dispatch;

public sealed class RetryBudgetTests(RetryBudgetFixture fixture) : IClassFixture<RetryBudgetFixture>
{
    private const string Model = "budget-model";

    [Fact]
    public async Task When_every_account_fails_retries_add_at_most_the_budget_and_the_rest_fail_fast()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "down-a", RequestsPerMinute = 1000, ImagesPerMinute = 1000, Faults = new FaultOptions { ServerErrorRate = 1 } },
                new SimulatedKey { Key = "down-b", RequestsPerMinute = 1000, ImagesPerMinute = 1000, Faults = new FaultOptions { ResetRate = 1 } },
            ],
        });
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, "down-a", "down-a", Model, perMinute: 1000),
            ClusterFixture.Account(simulator, "down-b", "down-b", Model, perMinute: 1000));

        const int requests = 40;
        var replies = new List<GenerationReply>();
        for (var i = 0; i < requests; i++)
        {
            // Each account is paced (one call every 60 ms at 1000/min): the fake clock moves the calls along.
            replies.Add(await fixture.Time.AdvanceUntilAsync(TimeSpan.FromMilliseconds(100), fixture.Grains.GetGrain<IDispatcherGrain>(0)
                .GenerateAsync(Jobs.For(Model, $"outage {i}", fixture.Time.GetUtcNow()), CancellationToken.None)));
        }

        var calls = simulator.Stats.Total.Snapshot().Requests;
        Assert.InRange(calls, requests, requests + (long)Math.Round(RetryBudgetFixture.Budget * requests));
        Assert.All(replies, r => Assert.Equal((503, "pool_unavailable"), (r.Error?.Status, r.Error?.Code)));
    }
}
