using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>Silos waiting on one account take freed capacity in turn, however fast each can ask.</summary>
[Collection(ClusterTests.Name)]
public sealed class SiloTurnsTests(ClusterFixture fixture)
{
    private static readonly TimeSpan OneToken = TimeSpan.FromSeconds(62);

    [Fact]
    public async Task Freed_capacity_goes_to_the_silo_that_waited_longest()
    {
        var id = "turns-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.UpsertAccountsAsync(new UpstreamAccount { Id = id, Kind = UpstreamKind.Compatible, BaseUrl = "http://127.0.0.1:9/", Models = [id], RequestsPerMinute = 1, ImagesPerMinute = 60 });
        var account = fixture.Grains.GetGrain<IAccountGrain>(id);
        var near = new RecordingObserver();
        var far = new RecordingObserver();
        var nearReference = fixture.Grains.CreateObjectReference<ICapacityObserver>(near);
        var farReference = fixture.Grains.CreateObjectReference<ICapacityObserver>(far);
        LeaseRequest From(ICapacityObserver observer) => new() { Model = id, Observer = observer };

        Assert.True((await account.TryLeaseAsync(From(nearReference))).Granted);
        Assert.Equal(DenyReason.RateLimited, (await account.TryLeaseAsync(From(farReference))).Reason);
        Assert.Equal(DenyReason.RateLimited, (await account.TryLeaseAsync(From(nearReference))).Reason);

        // The next token: the near silo asks first, but the far one has waited longer.
        fixture.Time.Advance(OneToken);
        var outrun = await account.TryLeaseAsync(From(nearReference));
        Assert.Equal(DenyReason.ReservedForAnotherSilo, outrun.Reason);
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromMilliseconds(200), outrun.RetryAt);
        await Eventually.TrueAsync(() => far.Freed > 0, "the far silo is told to come for the capacity");
        Assert.True((await account.TryLeaseAsync(From(farReference))).Granted);

        // And the token after that is the near silo's, even if the far one asks first.
        fixture.Time.Advance(OneToken);
        Assert.Equal(DenyReason.ReservedForAnotherSilo, (await account.TryLeaseAsync(From(farReference))).Reason);
        Assert.True((await account.TryLeaseAsync(From(nearReference))).Granted);
    }

    [Fact]
    public async Task A_silo_that_does_not_come_loses_its_turn_after_the_window()
    {
        var id = "turns-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.UpsertAccountsAsync(new UpstreamAccount { Id = id, Kind = UpstreamKind.Compatible, BaseUrl = "http://127.0.0.1:9/", Models = [id], RequestsPerMinute = 1, ImagesPerMinute = 60 });
        var account = fixture.Grains.GetGrain<IAccountGrain>(id);
        var gone = fixture.Grains.CreateObjectReference<ICapacityObserver>(new RecordingObserver());
        var present = fixture.Grains.CreateObjectReference<ICapacityObserver>(new RecordingObserver());

        Assert.True((await account.TryLeaseAsync(new LeaseRequest { Model = id, Observer = present })).Granted);
        Assert.False((await account.TryLeaseAsync(new LeaseRequest { Model = id, Observer = gone })).Granted);

        fixture.Time.Advance(OneToken);
        Assert.Equal(DenyReason.ReservedForAnotherSilo, (await account.TryLeaseAsync(new LeaseRequest { Model = id, Observer = present })).Reason);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True((await account.TryLeaseAsync(new LeaseRequest { Model = id, Observer = present })).Granted);
    }

    private sealed class RecordingObserver : ICapacityObserver
    {
        private int _freed;

        public int Freed => Volatile.Read(ref _freed);

        public Task CapacityFreed(string accountId)
        {
            Interlocked.Increment(ref _freed);
            return Task.CompletedTask;
        }
    }
}
