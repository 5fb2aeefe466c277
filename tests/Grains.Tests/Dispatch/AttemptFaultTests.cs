using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>A fault inside the gateway after a lease was granted returns the lease at once.</summary>
[Collection(ClusterTests.Name)]
public sealed class AttemptFaultTests(ClusterFixture fixture)
{
    private readonly string _model = "fault-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_failed_image_store_ends_the_lease_and_the_request_with_an_error_and_the_next_request_is_served_at_once()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "fault-a", RequestsPerMinute = 6000, ImagesPerMinute = 6000 }] });
        var account = "fault-" + Guid.NewGuid().ToString("N")[..8];

        // One lease at a time: a lease left taken would block the next request until it expired. (The
        // limit is far above two calls: only the lease, not pacing, could hold the second one back.)
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, account, "fault-a", _model, perMinute: 6000, concurrency: 1));
        var dispatcher = fixture.Grains.GetGrain<IDispatcherGrain>(0);

        FlakyImageStore.FailNextSaves(1);
        var failed = await dispatcher.GenerateAsync(Jobs.For(_model, "the disk is full", fixture.Time.GetUtcNow()), CancellationToken.None);
        Assert.Equal("internal_error", failed.Error?.Code);
        Assert.Equal(500, failed.Error?.Status);

        var status = await fixture.Grains.GetGrain<IAccountGrain>(account).GetStatusAsync();
        Assert.Equal(0, status.Load.InFlight);

        // Bounded in real time: a lease left taken would keep this waiting on the fake clock for ever.
        var served = await dispatcher.GenerateAsync(Jobs.For(_model, "the disk has room again", fixture.Time.GetUtcNow()), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(served.Result);
        Assert.Equal(2, simulator.Stats.Total.Snapshot().Served);
    }
}
