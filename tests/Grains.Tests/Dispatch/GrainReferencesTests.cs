using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>The references kept for the grains every generation talks to reach the same grains GetGrain does, built once.</summary>
[Collection(ClusterTests.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
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
