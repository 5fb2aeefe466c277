using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Caching;

/// <summary>
/// The silo's in-process view of its prompt cache activations' answers, which lets a front door answer a hit
/// without a call to the cache's grain: it only ever shows an answer whose images are in the store, and
/// loses it with the grain.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class CachedAnswersTests(ClusterFixture fixture)
{
    private readonly string _model = "ca-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task An_answer_is_shown_once_its_images_are_stored_and_forgotten_when_the_grain_drops_it()
    {
        var (cache, job, key) = await StartAsync("a harbour seen from this silo");
        var answers = fixture.Silo<CachedAnswers>();

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
    public async Task An_answer_whose_images_could_not_be_stored_is_never_shown()
    {
        var (cache, job, key) = await StartAsync("a harbour on a full disk");
        FlakyImageStore.FailNextSaves(1);

        await cache.GetOrGenerateAsync(job, CancellationToken.None);
        var byLink = await cache.GetOrGenerateAsync(job with { RequestId = "req_by_link", StoreBehind = false }, CancellationToken.None);

        // The twin found nothing cached and generated afresh, stored before its answer: that one is shown.
        Assert.Equal(CacheStatus.Miss, byLink.Cache);
        Assert.Equal(byLink.Result!.Images[0].ImageId, fixture.Silo<CachedAnswers>().Find(key, fixture.Time.GetUtcNow())!.Images[0].ImageId);
    }

    [Fact]
    public void An_entry_is_served_until_it_expires_and_only_its_writer_removes_it()
    {
        var answers = new CachedAnswers();
        var now = DateTimeOffset.UnixEpoch.AddDays(20_000);
        var result = new GenerationResult { Created = 1, Images = [new GeneratedImage { ImageId = "a.png", ContentType = "image/png" }], AccountId = "acc" };
        var first = new object();
        var second = new object();

        answers.Set("k", first, result, now.AddMinutes(1));
        Assert.Same(result, answers.Find("k", now));
        Assert.Null(answers.Find("k", now.AddMinutes(1)));

        // A newer activation for the same key wrote over it: the older one ending leaves the newer entry.
        answers.Set("k", second, result, now.AddMinutes(5));
        answers.Remove("k", first);
        Assert.Same(result, answers.Find("k", now.AddMinutes(2)));
        answers.Remove("k", second);
        Assert.Null(answers.Find("k", now));
        Assert.Equal(0, answers.Count);
    }

    private async Task<(IPromptCacheGrain Cache, GenerationJob Job, string Key)> StartAsync(string prompt)
    {
        var apiKey = "ca-" + Guid.NewGuid().ToString("N")[..8];
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = apiKey, RequestsPerMinute = 6000, ImagesPerMinute = 6000 }] });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, apiKey, apiKey, _model, perMinute: 6000));
        var job = Jobs.For(_model, prompt, fixture.Time.GetUtcNow()) with { StoreBehind = true };
        var key = CacheKey.For(job.Tenant, job.Request);
        return (fixture.Grains.GetGrain<IPromptCacheGrain>(key), job, key);
    }
}
