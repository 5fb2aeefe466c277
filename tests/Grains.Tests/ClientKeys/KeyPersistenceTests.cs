using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Grains.Usage;
using Orleans.Core.Internal;

namespace ImageOrleans.Grains.Tests.ClientKeys;

/// <summary>A key's spend and usage survive storage that fails: nothing written behind is lost quietly.</summary>
[Collection(ClusterTests.Name)]
public sealed class KeyPersistenceTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_failed_write_keeps_the_spend_pending_and_deactivation_writes_it()
    {
        var (keyId, key) = await CreateAsync();
        await key.SettleAsync(Paid(0.042m));

        // The next write fails; the periodic flush gives up for now but keeps the state dirty.
        FlakyGrainStorage.FailNextWrites(key.GetGrainId(), 1);
        await key.FlushUsageAsync();
        Assert.Equal(0, FlakyGrainStorage.PendingFailures(key.GetGrainId()));

        // The activation goes away; what it had pending is written on the way out.
        await key.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var again = fixture.Grains.GetGrain<IClientKeyGrain>(keyId);
        await Eventually.TrueAsync(() => again.GetAsync().AsTask().Result!.DaySpentUsd == 0.042m, "the spend is read back after reactivation",
            actual: () => again.GetAsync().AsTask().Result!.DaySpentUsd.ToString(CultureInfo.InvariantCulture));
        await again.FlushUsageAsync();
        var rows = await LedgerAsync(keyId);
        Assert.Equal(1, rows.Sum(r => r.Requests));
        Assert.Equal(0.042m, rows.Sum(r => r.SpendUsd));
    }

    [Fact]
    public async Task A_usage_batch_whose_answer_was_lost_is_resent_as_it_was_and_later_usage_is_not_dropped()
    {
        var (keyId, key) = await CreateAsync();
        await key.SettleAsync(Paid(0.011m));

        // The ledger stores the first batch but its answer is lost: the key must send it again.
        FlakyGrainStorage.FailNextWrites(Ledger(keyId).GetGrainId(), 1, afterWriting: true);
        await key.FlushUsageAsync();
        Assert.Equal(0, FlakyGrainStorage.PendingFailures(Ledger(keyId).GetGrainId()));

        // Usage settled meanwhile must not ride on the batch the ledger already has.
        await key.SettleAsync(Paid(0.042m));
        await key.SettleAsync(Paid(0.042m));
        await key.FlushUsageAsync();

        var rows = await LedgerAsync(keyId);
        Assert.Equal(3, rows.Sum(r => r.Requests));
        Assert.Equal(3, rows.Sum(r => r.Generated));
        Assert.Equal(0.095m, rows.Sum(r => r.SpendUsd));
        Assert.Equal(0.095m, (await key.GetAsync())!.DaySpentUsd);
    }

    [Fact]
    public async Task A_settlement_sent_twice_is_booked_once()
    {
        var (keyId, key) = await CreateAsync();
        var settlement = Paid(0.042m) with { Id = Guid.NewGuid() };

        await key.SettleAsync(settlement);
        await key.SettleAsync(settlement);
        await key.FlushUsageAsync();

        Assert.Equal(0.042m, (await key.GetAsync())!.DaySpentUsd);
        Assert.Equal(1, (await LedgerAsync(keyId)).Sum(r => r.Requests));
    }

    private async Task<(string Id, IClientKeyGrain Key)> CreateAsync()
    {
        var id = "persist-" + Guid.NewGuid().ToString("N")[..10];
        var key = fixture.Grains.GetGrain<IClientKeyGrain>(id);
        await key.CreateAsync(new ClientKeySettings { Name = id }, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))), "sk-io-…test");
        return (id, key);
    }

    private static Settlement Paid(decimal cost) => new()
    {
        ReservationId = Guid.NewGuid(),
        Model = "gpt-image-1",
        Quality = "low",
        Images = 1,
        GeneratedImages = 1,
        CostUsd = cost,
        Succeeded = true,
        Cache = CacheStatus.Miss,
    };

    private IUsageLedgerGrain Ledger(string keyId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(ClusterFixture.BillingTimeZone);
        var month = TimeZoneInfo.ConvertTime(fixture.Time.GetUtcNow(), zone).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        return fixture.Grains.GetGrain<IUsageLedgerGrain>($"{keyId}/{month}");
    }

    private async Task<IReadOnlyList<UsageRow>> LedgerAsync(string keyId) => await Ledger(keyId).GetAsync();
}
