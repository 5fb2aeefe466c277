using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Grains.Maintenance;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ImageOrleans.Grains.Tests.Maintenance;

/// <summary>Expired prompt-cache entries and idempotency records leave storage on the sweep, not only when read.</summary>
[Collection(ClusterTests.Name)]
public sealed class ExpiredStateTests(ClusterFixture fixture)
{
    private readonly string _model = "expiry-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Expired_cache_and_idempotency_rows_are_deleted_from_storage_by_the_sweep()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "exp-a", RequestsPerMinute = 6000, ImagesPerMinute = 6000 }] });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, "exp-" + Guid.NewGuid().ToString("N")[..8], "exp-a", _model, perMinute: 6000));
        var now = fixture.Time.GetUtcNow();

        var cached = Jobs.For(_model, "a lighthouse kept for a day", now);
        var cacheKey = CacheKey.For(cached.Tenant, cached.Request);
        var cache = fixture.Grains.GetGrain<IPromptCacheGrain>(cacheKey);
        Assert.NotNull((await cache.GetOrGenerateAsync(cached, CancellationToken.None)).Result);

        var retried = Jobs.For(_model, "a retry kept for a day", now);
        var idempotency = fixture.Grains.GetGrain<IIdempotencyGrain>("exp-key/" + Guid.NewGuid().ToString("N"));
        Assert.NotNull((await idempotency.RunAsync("fingerprint", retried, bypassCache: true, CancellationToken.None)).Reply.Result);

        await Eventually.TrueAsync(() => Stored<PromptCacheState>(GrainStorageNames.Cache, "entry", cache.GetGrainId()), "the cache entry is stored");
        await Eventually.TrueAsync(() => fixture.Silo<ExpiryNotes>().Undelivered == 0, "the entry is noted in its expiry bucket");
        Assert.True(Stored<IdempotencyState>(GrainStorageNames.Idempotency, "key", idempotency.GetGrainId()));

        // Not expired yet: a sweep leaves both alone.
        var sweeper = fixture.Grains.GetGrain<IExpirySweeperGrain>(0);
        await sweeper.SweepAsync();
        Assert.True(Stored<PromptCacheState>(GrainStorageNames.Cache, "entry", cache.GetGrainId()));
        Assert.True(Stored<IdempotencyState>(GrainStorageNames.Idempotency, "key", idempotency.GetGrainId()));

        // A day and its bucket hour later both have expired, and the sweep deletes them.
        fixture.Time.Advance(TimeSpan.FromHours(24) + ExpiryBuckets.Width + TimeSpan.FromMinutes(1));
        Assert.True(await sweeper.SweepAsync() >= 2);
        Assert.False(Stored<PromptCacheState>(GrainStorageNames.Cache, "entry", cache.GetGrainId()));
        Assert.False(Stored<IdempotencyState>(GrainStorageNames.Idempotency, "key", idempotency.GetGrainId()));

        // And the grains behave as if they had never held anything.
        var again = await cache.GetOrGenerateAsync(cached with { Deadline = fixture.Time.GetUtcNow().AddMinutes(5) }, CancellationToken.None);
        Assert.Equal(CacheStatus.Miss, again.Cache);
        Assert.Equal(3, simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public void Buckets_end_at_the_five_minute_mark_after_the_expiry_and_shard_keys_stably()
    {
        var expires = new DateTimeOffset(2026, 3, 1, 12, 31, 56, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 35, 0, TimeSpan.Zero), ExpiryBuckets.EndOf(expires));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 13, 5, 0, TimeSpan.Zero), ExpiryBuckets.EndOf(new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.Zero)));
        var bucket = ExpiryBuckets.For(ExpiringKind.Idempotency, "key-1/abc", expires);
        Assert.Equal(bucket, ExpiryBuckets.For(ExpiringKind.Idempotency, "key-1/abc", expires.AddMinutes(3)));

        // A bucket only takes five minutes of keys: the next window's rows go to the next bucket.
        Assert.NotEqual(bucket, ExpiryBuckets.For(ExpiringKind.Idempotency, "key-1/abc", expires.AddMinutes(5)));
        Assert.Equal((ExpiringKind.Idempotency, ExpiryBuckets.EndOf(expires)), ExpiryBuckets.Parse(bucket));
        Assert.Equal(ExpiryBuckets.Shards, Enumerable.Range(0, 200).Select(i => ExpiryBuckets.For(ExpiringKind.PromptCache, $"k{i}", expires)).Distinct().Count());
    }

    private bool Stored<T>(string storageName, string stateName, GrainId grain)
        where T : new()
    {
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(storageName);
        var state = new GrainState<T>(new T());
        storage.ReadStateAsync(stateName, grain, state).GetAwaiter().GetResult();
        return state.RecordExists;
    }
}
