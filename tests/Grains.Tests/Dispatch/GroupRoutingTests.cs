using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>Ordered groups through the whole dispatch path: the preferred group first, the overflow next, no client errors.</summary>
[Collection(ClusterTests.Name)]
public sealed class GroupRoutingTests(ClusterFixture fixture)
{
    private readonly string _model = "group-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_saturated_preferred_group_overflows_to_the_next_without_errors_and_takes_traffic_back_when_it_has_room()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = _model + "-main" }, new SimulatedKey { Key = _model + "-backup" }],
        });

        // The preferred group takes one request every 12 s (5 a minute, paced, no burst); the backup has plenty.
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, _model + "-backup", _model + "-backup", _model, perMinute: 600) with { Group = "backup", GroupPriority = 1, Weight = 50 },
            ClusterFixture.Account(simulator, _model + "-main", _model + "-main", _model, perMinute: 5) with { Group = "main" });

        var replies = new List<GenerationReply>();
        for (var i = 0; i < 10; i++)
        {
            // The backup is paced too (one call every 100 ms): the fake clock moves the calls along, far less than 12 s in all.
            replies.Add(await fixture.Time.AdvanceUntilAsync(TimeSpan.FromMilliseconds(100),
                fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(Jobs.For(_model, $"overflow {i}", fixture.Time.GetUtcNow()), CancellationToken.None)));
        }

        Assert.All(replies, r => Assert.NotNull(r.Result));
        Assert.Equal(Enumerable.Repeat(_model + "-main", 1).Concat(Enumerable.Repeat(_model + "-backup", 9)), replies.Select(r => r.Result!.AccountId));
        Assert.Equal(0, simulator.Stats.Total.Snapshot().RefusedRateLimit);

        // A token later, the preferred group has room again and gets the next request.
        fixture.Time.Advance(TimeSpan.FromSeconds(13));
        var next = await fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(Jobs.For(_model, "back home", fixture.Time.GetUtcNow()), CancellationToken.None);
        Assert.Equal(_model + "-main", next.Result?.AccountId);
    }
}
