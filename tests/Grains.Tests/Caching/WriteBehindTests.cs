using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;

namespace ImageOrleans.Grains.Tests.Caching;

/// <summary>
/// A <c>b64_json</c> answer is given from the upstream's bytes and its images are stored behind it: until
/// they are stored the entry serves its bytes from memory or makes a link wait, and a failed store costs the
/// client nothing but the cache.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class WriteBehindTests(ClusterFixture fixture)
{
    private readonly string _model = "wb-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_b64_generation_answers_with_its_bytes_and_a_hit_by_link_waits_until_its_images_are_stored()
    {
        var (simulator, cache, job) = await StartAsync("a lighthouse answered from its bytes");
        var store = fixture.Silo<IImageStore>();

        var reply = await cache.GetOrGenerateAsync(job, CancellationToken.None);

        var image = Assert.Single(reply.Result!.Images);
        var bytes = Assert.Single(reply.Contents!).ToArray();
        Assert.Equal(ImageFormat.Png, ImageFormat.Detect(bytes));
        Assert.Equal(ImageWriteBehind.Describe(bytes, null).ImageId, image.ImageId);

        // An identical request that answers by link is a hit that waits until the images are stored: the
        // link it hands out works. No bytes travel with it, and no second upstream call was made.
        var byLink = await cache.GetOrGenerateAsync(job with { RequestId = "req_by_link", StoreBehind = false }, CancellationToken.None);
        Assert.Equal(CacheStatus.Hit, byLink.Cache);
        Assert.Null(byLink.Contents);
        Assert.Equal(image.ImageId, Assert.Single(byLink.Result!.Images).ImageId);
        Assert.Equal(bytes, await store.ReadAsync(image.ImageId, CancellationToken.None));
        Assert.Equal(1, simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task A_b64_answer_whose_store_write_fails_still_reaches_the_client_and_nothing_is_cached()
    {
        var (simulator, cache, job) = await StartAsync("a lighthouse on a full disk");
        var store = fixture.Silo<IImageStore>();
        FlakyImageStore.FailNextSaves(1);

        var reply = await cache.GetOrGenerateAsync(job, CancellationToken.None);

        Assert.Null(reply.Error);
        var image = Assert.Single(reply.Result!.Images);
        Assert.Equal(ImageFormat.Png, ImageFormat.Detect(Assert.Single(reply.Contents!).Span));
        Assert.False(await store.ExistsAsync(image.ImageId, CancellationToken.None));

        // An answer by link waits for the store and, as it failed, finds nothing cached: a miss with an upstream
        // call of its own, never a hit on images that are not there.
        var byLink = await cache.GetOrGenerateAsync(job with { RequestId = "req_by_link", StoreBehind = false }, CancellationToken.None);
        Assert.Equal(CacheStatus.Miss, byLink.Cache);
        Assert.Null(byLink.Contents);
        Assert.True(await store.ExistsAsync(Assert.Single(byLink.Result!.Images).ImageId, CancellationToken.None));
        Assert.Equal(2, simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task The_silos_front_doors_see_an_answer_once_its_images_are_stored_and_lose_it_with_the_grains_entry()
    {
        var (_, cache, job) = await StartAsync("a harbour seen from this silo");
        var answers = fixture.Silo<CachedAnswers>();
        var key = CacheKey.For(job.Tenant, job.Request);

        var reply = await cache.GetOrGenerateAsync(job, CancellationToken.None);

        // A twin answering by link waits until the images are stored: from then on the view has the answer.
        await cache.GetOrGenerateAsync(job with { RequestId = "req_by_link", StoreBehind = false }, CancellationToken.None);
        var shown = answers.Find(key, fixture.Time.GetUtcNow());
        Assert.NotNull(shown);
        Assert.Equal(Assert.Single(reply.Result!.Images).ImageId, Assert.Single(shown.Images).ImageId);
        Assert.True(await fixture.Silo<IImageStore>().ExistsAsync(shown.Images[0].ImageId, CancellationToken.None));

        await cache.InvalidateAsync();

        Assert.Null(answers.Find(key, fixture.Time.GetUtcNow()));
    }

    [Fact]
    public async Task The_silos_front_doors_never_see_an_answer_whose_images_could_not_be_stored()
    {
        var (_, cache, job) = await StartAsync("a harbour on a full disk");
        FlakyImageStore.FailNextSaves(1);

        await cache.GetOrGenerateAsync(job, CancellationToken.None);
        var byLink = await cache.GetOrGenerateAsync(job with { RequestId = "req_by_link", StoreBehind = false }, CancellationToken.None);

        // The twin found nothing cached and generated afresh, stored before its answer: that one is shown.
        Assert.Equal(CacheStatus.Miss, byLink.Cache);
        var shown = fixture.Silo<CachedAnswers>().Find(CacheKey.For(job.Tenant, job.Request), fixture.Time.GetUtcNow());
        Assert.Equal(byLink.Result!.Images[0].ImageId, Assert.Single(shown!.Images).ImageId);
    }

    [Fact]
    public async Task A_prompt_asked_once_lets_go_of_its_activation_once_stored_and_asked_again_is_a_hit_from_storage()
    {
        var (simulator, cache, job) = await StartAsync("a harbour asked only once");
        var key = CacheKey.For(job.Tenant, job.Request);
        var answers = fixture.Silo<CachedAnswers>();

        var reply = await cache.GetOrGenerateAsync(job, CancellationToken.None);

        // Stored behind the answer and persisted, the activation ends: nothing of it stays in memory.
        await Wait.UntilAsync(async () => !await IsActiveAsync(cache), TimeSpan.FromSeconds(30), "the prompt's activation has ended");
        Assert.Null(answers.Find(key, fixture.Time.GetUtcNow()));

        // Asked again, the entry is read back from storage: a hit on the same image, no second upstream call,
        // and from then on the activation holds it for this silo's front doors.
        var again = await cache.GetOrGenerateAsync(job with { RequestId = "req_again", StoreBehind = false }, CancellationToken.None);
        Assert.Equal(CacheStatus.Hit, again.Cache);
        Assert.Equal(Assert.Single(reply.Result!.Images).ImageId, Assert.Single(again.Result!.Images).ImageId);
        Assert.Equal(1, simulator.Stats.Total.Snapshot().Served);
        Assert.Equal(reply.Result.Images[0].ImageId, Assert.Single(answers.Find(key, fixture.Time.GetUtcNow())!.Images).ImageId);
        Assert.True(await IsActiveAsync(cache));
    }

    private async Task<bool> IsActiveAsync(IPromptCacheGrain cache)
    {
        var statistics = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Any(s => s.GrainId == cache.GetGrainId());
    }

    private async Task<(SimulatorServer Simulator, IPromptCacheGrain Cache, GenerationJob Job)> StartAsync(string prompt)
    {
        var key = "wb-" + Guid.NewGuid().ToString("N")[..8];
        // Room for both calls on the standing clock: pacing is not what is tested here.
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = key, RequestsPerMinute = 6000, ImagesPerMinute = 6000 }] });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, key, key, _model, perMinute: 6000));
        var job = Jobs.For(_model, prompt, fixture.Time.GetUtcNow()) with { StoreBehind = true };
        return (simulator, fixture.Grains.GetGrain<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)), job);
    }
}
