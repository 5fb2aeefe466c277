using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Secrets;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;
using Orleans.Serialization;

namespace ImageOrleans.Grains.Tests.Secrets;

/// <summary>The pool keeps and hands out upstream keys sealed; they are opened only for the upstream call.</summary>
[Collection(ClusterTests.Name)]
public sealed class PoolSecretsTests(ClusterFixture fixture)
{
    private readonly string _model = "secrets-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_pool_snapshot_holds_no_clear_key_and_the_upstream_still_gets_the_key()
    {
        var key = "sk-pool-secret-" + Guid.NewGuid().ToString("N");
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = key }] });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, Id("a"), key, _model));

        // From the grain (across the client connection) and from the silo's own directory.
        var fromGrain = await fixture.Grains.GetGrain<IPoolGrain>(0).GetSnapshotAsync();
        var fromDirectory = await fixture.Silo<AccountDirectory>().GetAsync();
        foreach (var snapshot in (PoolSnapshot[])[fromGrain, fromDirectory])
        {
            var stored = snapshot.Accounts.Single(a => a.Id == Id("a")).ApiKey;
            Assert.True(stored.IsSealed);
            Assert.Equal(TestSecrets.KeyId, stored.KeyId);
            Assert.DoesNotContain(key, snapshot.ToString(), StringComparison.Ordinal);
            SecretBytes.AssertAbsent(fixture.Silo<Serializer>().SerializeToArray(snapshot), key);
        }

        var reply = await Dispatcher.GenerateAsync(Jobs.For(_model, "sealed key", fixture.Time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(Id("a"), reply.Result?.AccountId);
        Assert.Equal(1, simulator.Stats.Snapshot().Keys[key].Served);
    }

    [Fact]
    public async Task An_account_whose_key_cannot_be_decrypted_is_unusable_and_requests_go_elsewhere()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            // Limits far above the run's calls: the clock stands still, and pacing is not what is tested.
            Keys =
            [
                new SimulatedKey { Key = "undecryptable-a", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
                new SimulatedKey { Key = "undecryptable-b", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
            ],
        });

        // Sealed under a key id this cluster does not have (a master key removed too early).
        var lost = TestSecrets.Cipher(new Dictionary<string, string> { ["removed"] = TestSecrets.RandomKey() }).Seal("undecryptable-a");
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "unused", _model, perMinute: 6000) with { ApiKey = lost, Weight = 10 },
            ClusterFixture.Account(simulator, Id("b"), "undecryptable-b", _model, perMinute: 6000));

        var replies = new List<GenerationReply>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await Dispatcher.GenerateAsync(Jobs.For(_model, $"other account {i}", fixture.Time.GetUtcNow()), CancellationToken.None));
        }

        Assert.All(replies, r => Assert.Equal(Id("b"), r.Result?.AccountId));
        var stats = simulator.Stats.Snapshot().Keys;
        Assert.Equal(0, stats["undecryptable-a"].Requests);
        var status = await fixture.Grains.GetGrain<IAccountGrain>(Id("a")).GetStatusAsync();
        Assert.Equal(DenyReason.Unauthorized, status.Load.Blocked);
        Assert.Contains("key id 'removed'", status.Exclusions["*"].Detail, StringComparison.Ordinal);
    }

    private IDispatcherGrain Dispatcher => fixture.Grains.GetGrain<IDispatcherGrain>(0);

    private string Id(string suffix) => $"{_model}-{suffix}";
}
