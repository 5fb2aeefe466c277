using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>The references every request uses reach the grains GetGrain does: kept whole for keys and accounts, built from types resolved once for the rest.</summary>
[Collection(ClusterTests.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_reference_built_from_resolved_types_is_the_one_GetGrain_gives_for_every_key()
    {
        var references = new GrainReferences(fixture.Grains);
        var first = "grain-references-" + Guid.NewGuid().ToString("N");
        var second = "grain-references-" + Guid.NewGuid().ToString("N");

        // The first call resolves the types; the later ones build from them.
        foreach (var key in new[] { first, second, first })
        {
            var built = (GrainReference)references.Get<IPromptCacheGrain>(key);
            var expected = (GrainReference)fixture.Grains.GetGrain<IPromptCacheGrain>(key);
            Assert.Equal(expected.GrainId, built.GrainId);
            Assert.Equal(expected.InterfaceType, built.InterfaceType);
            Assert.Equal(expected, built);
        }

        Assert.NotEqual(((GrainReference)references.Get<IPromptCacheGrain>(first)).GrainId, ((GrainReference)references.Get<IPromptCacheGrain>(second)).GrainId);
        Assert.Equal(((GrainReference)fixture.Grains.GetGrain<IClientKeyGrain>("k")).GrainId, ((GrainReference)references.Key("k")).GrainId);

        // A call through a built reference reaches the grain: nothing is cached under a fresh key.
        Assert.Null(await references.Get<IPromptCacheGrain>(second).GetCachedAsync(new GenerationJob
        {
            RequestId = "req_refs",
            ClientKeyId = string.Empty,
            Tenant = "t",
            Request = new ImageOrleans.Grains.Requests.ImageRequest { Model = "gpt-image-1", Prompt = "p" },
            AcceptedAt = fixture.Time.GetUtcNow(),
            Deadline = fixture.Time.GetUtcNow().AddMinutes(1),
        }));
    }

    [Fact]
    public async Task A_kept_reference_is_built_once_and_reaches_the_grain_GetGrain_reaches()
    {
        var references = new GrainReferences(fixture.Grains);
        var keyId = "refs-" + Guid.NewGuid().ToString("N")[..8];

        var key = references.Key(keyId);
        Assert.Same(key, references.Key(keyId));
        Assert.Same(references.Account("acc-" + keyId), references.Account("acc-" + keyId));
        Assert.NotSame(key, references.Key(keyId + "-other"));
        Assert.Equal(fixture.Grains.GetGrain<IClientKeyGrain>(keyId).GetGrainId(), key.GetGrainId());

        // A call through the kept reference lands on that key's grain: one created through GetGrain finds it.
        await fixture.Grains.GetGrain<IClientKeyGrain>(keyId).CreateAsync(new ClientKeySettings { Name = "refs" }, "hash-" + keyId, "…refs");
        Assert.Equal("refs", (await key.GetAsync())?.Settings.Name);
    }
}
