using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>An account grain's leases follow the one eligibility rule, probes included.</summary>
[Collection(ClusterTests.Name)]
public sealed class AccountLeaseTests(ClusterFixture fixture)
{
    [Fact]
    public async Task An_exclusion_due_for_recheck_sends_no_probe_while_the_account_cools_down()
    {
        var id = "probe-" + Guid.NewGuid().ToString("N")[..8];
        var (excludedModel, otherModel) = (id + "-x", id + "-y");
        await fixture.UpsertAccountsAsync(new UpstreamAccount
        {
            Id = id, Kind = UpstreamKind.Compatible, BaseUrl = "http://127.0.0.1:9/", Models = [excludedModel, otherModel], RequestsPerMinute = 60, ImagesPerMinute = 60,
        });
        var account = fixture.Grains.GetGrain<IAccountGrain>(id);

        // Out of quota for one model: excluded for it until the recheck, 15 minutes on.
        var quota = (await account.TryLeaseAsync(new LeaseRequest { Model = excludedModel })).Lease!;
        await account.ReportOutcomeAsync(new OutcomeReport { LeaseId = quota.Id, Kind = OutcomeKind.QuotaExhausted, Model = excludedModel });
        fixture.Time.Advance(TimeSpan.FromMinutes(15));

        // The recheck time has come, but a 429 on the other model cools the whole account for five minutes.
        var limited = (await account.TryLeaseAsync(new LeaseRequest { Model = otherModel })).Lease!;
        await account.ReportOutcomeAsync(new OutcomeReport { LeaseId = limited.Id, Kind = OutcomeKind.RateLimited, Model = otherModel, RetryAfter = TimeSpan.FromMinutes(5) });
        var coolingUntil = fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(5);

        // Long enough for the buckets to refill, not for the cool-down to end: no probe may go out.
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        var probe = await account.TryLeaseAsync(new LeaseRequest { Model = excludedModel });
        Assert.Equal((false, DenyReason.CoolingDown, coolingUntil), (probe.Granted, probe.Reason, probe.RetryAt));

        // After the cool-down the probe goes out, and only one.
        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await account.TryLeaseAsync(new LeaseRequest { Model = excludedModel })).Granted);
        Assert.Equal(DenyReason.ModelExcluded, (await account.TryLeaseAsync(new LeaseRequest { Model = excludedModel })).Reason);
    }

    [Fact]
    public async Task The_status_view_and_a_snapshot_carry_the_facts_the_rule_read()
    {
        var id = "facts-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.UpsertAccountsAsync(new UpstreamAccount { Id = id, Kind = UpstreamKind.Compatible, BaseUrl = "http://127.0.0.1:9/", Models = [id] });
        var account = fixture.Grains.GetGrain<IAccountGrain>(id);
        var lease = (await account.TryLeaseAsync(new LeaseRequest { Model = id })).Lease!;
        var load = await account.ReportOutcomeAsync(new OutcomeReport { LeaseId = lease.Id, Kind = OutcomeKind.RateLimited, Model = id, RetryAfter = TimeSpan.FromSeconds(20) });

        var until = fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(20);
        Assert.Equal((DenyReason.CoolingDown, until, until), (load.Blocked, load.BlockedUntil, load.Facts.CooldownUntil));
        var status = await account.GetStatusAsync();
        Assert.Equal((DenyReason.CoolingDown, until), (status.Load.Blocked, status.Load.BlockedUntil));
    }
}
