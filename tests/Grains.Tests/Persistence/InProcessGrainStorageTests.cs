using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Secrets;
using ImageOrleans.Grains.Persistence;
using ImageOrleans.Grains.Tests.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace ImageOrleans.Grains.Tests.Persistence;

/// <summary>The single-process profile's grain storage: state outlives activations, stale writers are refused, secrets stay sealed.</summary>
public sealed class InProcessGrainStorageTests
{
    private const string Plain = "sk-in-process-storage-0a1b2c3d4e5f";
    private static readonly GrainId Pool = GrainId.Create("pool", "0");

    [Fact]
    public async Task A_written_state_reads_back_as_a_copy_the_writer_can_no_longer_change()
    {
        var storage = Create();
        var written = new GrainState<PoolState>(new PoolState { Version = 7, SeedFingerprints = { ["a1"] = "f1" } });

        await storage.WriteStateAsync(GrainStorageNames.Pool, Pool, written);
        written.State!.SeedFingerprints["a1"] = "changed after the write";
        var read = new GrainState<PoolState>();
        await storage.ReadStateAsync(GrainStorageNames.Pool, Pool, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(7, read.State!.Version);
        Assert.Equal("f1", read.State!.SeedFingerprints["a1"]);
    }

    [Fact]
    public async Task A_state_never_written_reads_as_a_new_one_without_a_record()
    {
        var read = new GrainState<PoolState>();

        await Create().ReadStateAsync(GrainStorageNames.Pool, Pool, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.NotNull(read.State);
        Assert.Empty(read.State!.Accounts);
    }

    [Fact]
    public async Task A_write_from_an_activation_that_read_an_older_version_is_refused()
    {
        var storage = Create();
        var first = new GrainState<PoolState>(new PoolState { Version = 1 });
        await storage.WriteStateAsync(GrainStorageNames.Pool, Pool, first);
        var stale = new GrainState<PoolState>();
        await storage.ReadStateAsync(GrainStorageNames.Pool, Pool, stale);
        first.State!.Version = 2;
        await storage.WriteStateAsync(GrainStorageNames.Pool, Pool, first);

        stale.State!.Version = 3;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainStorageNames.Pool, Pool, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(GrainStorageNames.Pool, Pool, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync(GrainStorageNames.Pool, Pool, new GrainState<PoolState>(new PoolState { Version = 4 })));

        var read = new GrainState<PoolState>();
        await storage.ReadStateAsync(GrainStorageNames.Pool, Pool, read);
        Assert.Equal(2, read.State!.Version);
    }

    [Fact]
    public async Task A_cleared_state_is_gone_and_may_be_written_afresh()
    {
        var storage = Create();
        var state = new GrainState<PoolState>(new PoolState { Version = 5 });
        await storage.WriteStateAsync(GrainStorageNames.Pool, Pool, state);

        await storage.ClearStateAsync(GrainStorageNames.Pool, Pool, state);
        var read = new GrainState<PoolState>();
        await storage.ReadStateAsync(GrainStorageNames.Pool, Pool, read);

        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Version);
        Assert.False(read.RecordExists);
        state.State!.Version = 6;
        await storage.WriteStateAsync(GrainStorageNames.Pool, Pool, state);
        Assert.True(state.RecordExists);
    }

    [Fact]
    public async Task Names_and_grains_keep_apart_and_an_upstream_key_is_held_sealed()
    {
        var storage = Create();
        var accounts = new PoolState { Accounts = { ["a1"] = new UpstreamAccount { Id = "a1", ApiKey = new UpstreamSecret(Plain), Models = ["m"] } } };

        await storage.WriteStateAsync(GrainStorageNames.Pool, Pool, new GrainState<PoolState>(accounts));
        var otherName = new GrainState<PoolState>();
        await storage.ReadStateAsync(GrainStorageNames.Accounts, Pool, otherName);
        var otherGrain = new GrainState<PoolState>();
        await storage.ReadStateAsync(GrainStorageNames.Pool, GrainId.Create("pool", "1"), otherGrain);
        var read = new GrainState<PoolState>();
        await storage.ReadStateAsync(GrainStorageNames.Pool, Pool, read);

        Assert.False(otherName.RecordExists);
        Assert.False(otherGrain.RecordExists);
        var key = read.State!.Accounts["a1"].ApiKey;
        Assert.True(key.IsSealed);
        Assert.DoesNotContain(Plain, key.Envelope, StringComparison.Ordinal);
        Assert.Equal(Plain, Cipher.Reveal(key, "test"));
    }

    private SecretCipher Cipher { get; set; } = null!;

    private InProcessGrainStorage Create()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSerializer(b => b.AddAssembly(typeof(UpstreamSecret).Assembly));
        TestSecrets.AddTo(services);
        var provider = services.BuildServiceProvider();
        Cipher = provider.GetRequiredService<SecretCipher>();
        return ActivatorUtilities.CreateInstance<InProcessGrainStorage>(provider);
    }
}
