using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>Canary splits: a fixed share of one model's traffic to one group, changed live, optionally sticky per key.</summary>
[Collection(ClusterTests.Name)]
public sealed class CanaryTests(ClusterFixture fixture)
{
    private readonly string _model = "canary-model-" + Guid.NewGuid().ToString("N")[..8];

    private CanaryRouter Router => fixture.Silo<CanaryRouter>();

    [Fact]
    public async Task A_share_holds_exactly_over_a_thousand_requests_and_changes_live()
    {
        await SplitAsync(new CanarySplit { Group = "new", Share = 0.2 });

        Assert.Equal(200, Enumerable.Range(0, 1000).Count(i => Router.Route(_model, $"key-{i % 7}")!.ToCanary));

        await SplitAsync(new CanarySplit { Group = "new", Share = 0.65 });
        Assert.InRange(Enumerable.Range(0, 1000).Count(i => Router.Route(_model, "key")!.ToCanary), 649, 651);

        await SplitAsync(null);
        Assert.Null(Router.Route(_model, "key"));
    }

    [Fact]
    public async Task A_sticky_split_keeps_each_key_on_one_side_and_the_share_within_two_points()
    {
        await SplitAsync(new CanarySplit { Group = "new", Share = 0.2, Sticky = true });

        // A key's side comes from a hash, so the share over keys has binomial noise (1.3 points at
        // a thousand keys): over ten thousand keys two points are five standard deviations.
        var sides = Enumerable.Range(0, 10_000).ToDictionary(i => $"key-{i}", i => Router.Route(_model, $"key-{i}")!.ToCanary);

        Assert.InRange(sides.Count(s => s.Value), 1800, 2200);
        Assert.All(sides, s => Assert.Equal(s.Value, Router.Route(_model, s.Key)!.ToCanary));
    }

    [Fact]
    public async Task Requests_go_to_the_canary_group_in_its_share_and_overflow_to_the_others_without_errors()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = _model + "-old", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
                new SimulatedKey { Key = _model + "-new", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
            ],
        });
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, _model + "-old", _model + "-old", _model, perMinute: 6000, concurrency: 100) with { Group = "old" },
            ClusterFixture.Account(simulator, _model + "-new", _model + "-new", _model, perMinute: 6000, concurrency: 100) with { Group = "new" });
        await SplitAsync(new CanarySplit { Group = "new", Share = 0.2 });

        var replies = new List<GenerationReply>();
        for (var i = 0; i < 100; i++)
        {
            // Time passes between requests, as it does for real traffic: the buckets refill meanwhile.
            replies.Add(await fixture.Time.AdvanceUntilAsync(
                TimeSpan.FromMilliseconds(50),
                fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(Jobs.For(_model, $"canary {i}", fixture.Time.GetUtcNow(), $"t{i}"), CancellationToken.None)));
        }

        Assert.All(replies, r => Assert.NotNull(r.Result));
        Assert.Equal(20, replies.Count(r => r.Result!.AccountId == _model + "-new"));

        // The canary group is drained: its share overflows to the old accounts, nobody gets an error.
        await fixture.Grains.GetGrain<ImageOrleans.Grains.Accounts.IAccountGrain>(_model + "-new").SetDrainingAsync(true);
        for (var i = 0; i < 10; i++)
        {
            var reply = await fixture.Time.AdvanceUntilAsync(
                TimeSpan.FromMilliseconds(50),
                fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(Jobs.For(_model, $"drained {i}", fixture.Time.GetUtcNow()), CancellationToken.None));
            Assert.Equal(_model + "-old", reply.Result?.AccountId);
        }
    }

    private async Task SplitAsync(CanarySplit? split)
    {
        await fixture.Grains.GetGrain<ICanaryGrain>(0).SetAsync(_model, split);
        await Router.RefreshAsync();
    }
}
