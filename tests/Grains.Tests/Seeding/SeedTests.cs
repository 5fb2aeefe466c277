using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Seeding;

/// <summary>Configuration seeds the pool and the keys; the admin API is the live truth until the configuration changes.</summary>
[Collection(ClusterTests.Name)]
public sealed class SeedTests(ClusterFixture fixture)
{
    [Fact]
    public async Task An_unchanged_seed_keeps_admin_edits_and_removals_and_a_changed_one_wins()
    {
        var pool = fixture.Grains.GetGrain<IPoolGrain>(0);
        var id = "seeded-" + Guid.NewGuid().ToString("N")[..8];
        var seed = new UpstreamAccount { Id = id, Kind = UpstreamKind.Simulated, Models = ["gpt-image-1"], RequestsPerMinute = 10 };
        await pool.SeedAsync([seed]);

        // An operator raises the limit; a restart with the same configuration keeps it.
        await pool.UpsertAsync(seed with { RequestsPerMinute = 50 });
        await pool.SeedAsync([seed]);
        Assert.Equal(50, (await pool.GetAccountAsync(id))!.RequestsPerMinute);

        // An operator removes it; the same configuration does not bring it back.
        Assert.True(await pool.RemoveAsync(id));
        await pool.SeedAsync([seed]);
        Assert.Null(await pool.GetAccountAsync(id));

        // The configuration entry changed: that is a new instruction, and it applies.
        await pool.SeedAsync([seed with { RequestsPerMinute = 20 }]);
        Assert.Equal(20, (await pool.GetAccountAsync(id))!.RequestsPerMinute);

        // Gone from the configuration: gone from the pool.
        await pool.SeedAsync([]);
        Assert.Null(await pool.GetAccountAsync(id));
    }

    [Fact]
    public async Task A_seeded_key_keeps_admin_edits_and_its_revocation_until_its_configuration_changes()
    {
        var key = fixture.Grains.GetGrain<IClientKeyGrain>("seeded-key-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new ClientKeySettings { Name = "from config", RequestsPerMinute = 10 };
        await key.SeedAsync(settings, new string('a', 64), "sk-…aaaa", "fingerprint-1");

        await key.UpdateAsync(settings with { RequestsPerMinute = 99 });
        await key.RevokeAsync();
        var again = await key.SeedAsync(settings, new string('a', 64), "sk-…aaaa", "fingerprint-1");
        Assert.Equal(99, again.Settings.RequestsPerMinute);
        Assert.True(again.Revoked);

        // A new key in configuration replaces the revoked one.
        var replaced = await key.SeedAsync(settings, new string('b', 64), "sk-…bbbb", "fingerprint-2");
        Assert.False(replaced.Revoked);
        Assert.Equal(10, replaced.Settings.RequestsPerMinute);
    }
}
