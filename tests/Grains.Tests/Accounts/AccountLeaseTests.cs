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

    [Fact]
    public async Task A_401_keeps_the_account_out_until_its_key_changes()
    {
        var account = await NewAccountAsync("unauth");
        var grain = fixture.Grains.GetGrain<IAccountGrain>(account.Id);
        var lease = (await grain.TryLeaseAsync(new LeaseRequest { Model = account.Id })).Lease!;
        await grain.ReportOutcomeAsync(new OutcomeReport { LeaseId = lease.Id, Kind = OutcomeKind.Unauthorized, Model = account.Id });

        // No recheck after an hour, or a day: a wrong key does not heal by itself.
        foreach (var wait in new[] { TimeSpan.FromMinutes(61), TimeSpan.FromDays(1) })
        {
            fixture.Time.Advance(wait);
            Assert.Equal(DenyReason.Unauthorized, (await grain.TryLeaseAsync(new LeaseRequest { Model = account.Id })).Reason);
        }

        await fixture.UpsertAccountsAsync(account with { ApiKey = new UpstreamSecret("a-new-key") });
        Assert.True((await grain.TryLeaseAsync(new LeaseRequest { Model = account.Id })).Granted);
    }

    [Fact]
    public async Task Reset_health_also_resets_the_breakers_back_off()
    {
        var account = await NewAccountAsync("backoff");
        var grain = fixture.Grains.GetGrain<IAccountGrain>(account.Id);
        await TripAsync(grain, account.Id);

        // The probe fails: the breaker reopens for twice as long.
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        await FailAsync(grain, account.Id);
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(60), (await grain.GetStatusAsync()).BreakerOpenUntil);

        await grain.ResetHealthAsync();
        await TripAsync(grain, account.Id);
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(30), (await grain.GetStatusAsync()).BreakerOpenUntil);
    }

    [Fact]
    public async Task After_a_successful_probe_the_account_ramps_up_instead_of_taking_full_load()
    {
        var account = await NewAccountAsync("ramp");
        var grain = fixture.Grains.GetGrain<IAccountGrain>(account.Id);
        var full = (await grain.GetStatusAsync()).Load.RequestRatePerSecond;
        await TripAsync(grain, account.Id);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        var probe = (await grain.TryLeaseAsync(new LeaseRequest { Model = account.Id })).Lease!;
        Assert.True(probe.IsProbe);
        var load = await grain.ReportOutcomeAsync(new OutcomeReport { LeaseId = probe.Id, Kind = OutcomeKind.Success, Model = account.Id, Latency = TimeSpan.FromSeconds(1) });
        Assert.Equal(0.1 * full, load.RequestRatePerSecond, 9);

        // 10 % → 25 % → 50 % → 100 % over the two-minute window; a lease request moves the ramp on.
        foreach (var share in new[] { 0.25, 0.5, 1.0 })
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(40));
            var decision = await grain.TryLeaseAsync(new LeaseRequest { Model = account.Id });
            Assert.Equal(share * full, decision.Load.RequestRatePerSecond, 9);
            if (decision.Lease is { } lease)
            {
                await grain.ReportOutcomeAsync(new OutcomeReport { LeaseId = lease.Id, Kind = OutcomeKind.Cancelled, Model = account.Id, Sent = false });
            }
        }
    }

    [Fact]
    public async Task Accounts_of_one_limit_scope_share_one_set_of_buckets()
    {
        var scope = "project-" + Guid.NewGuid().ToString("N")[..8];
        var a = await NewAccountAsync("scoped", a => a with { LimitScope = scope, RequestsPerMinute = 60 });
        var b = await NewAccountAsync("scoped", b => b with { LimitScope = scope, RequestsPerMinute = 60, Models = a.Models });
        var alone = await NewAccountAsync("alone", c => c with { RequestsPerMinute = 60, Models = a.Models });
        var (ga, gb, gc) = (fixture.Grains.GetGrain<IAccountGrain>(a.Id), fixture.Grains.GetGrain<IAccountGrain>(b.Id), fixture.Grains.GetGrain<IAccountGrain>(alone.Id));
        LeaseRequest Request() => new() { Model = a.Id };

        // The project's 60 a minute allow one call now, whichever key takes it, and the next a paced interval on.
        Assert.True((await ga.TryLeaseAsync(Request())).Granted);
        var refused = await gb.TryLeaseAsync(Request());
        Assert.Equal(DenyReason.RateLimited, refused.Reason);
        Assert.Equal(0, (fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(1 / 0.995) - refused.RetryAt!.Value).TotalMilliseconds, 0);
        Assert.Equal(DenyReason.RateLimited, (await ga.TryLeaseAsync(Request())).Reason);

        // An account with a limit of its own is not affected.
        Assert.True((await gc.TryLeaseAsync(Request())).Granted);

        // A token later, one of the two may take it; a 429 on one empties the scope for both.
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        var lease = (await ga.TryLeaseAsync(Request())).Lease!;
        await ga.ReportOutcomeAsync(new OutcomeReport { LeaseId = lease.Id, Kind = OutcomeKind.RateLimited, Model = a.Id, RetryAfter = TimeSpan.FromSeconds(1) });
        fixture.Time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(DenyReason.RateLimited, (await gb.TryLeaseAsync(Request())).Reason);
    }

    private async Task<UpstreamAccount> NewAccountAsync(string prefix, Func<UpstreamAccount, UpstreamAccount> configure)
    {
        var account = configure(Define(prefix));
        await fixture.UpsertAccountsAsync(account);
        return account;
    }

    private static UpstreamAccount Define(string prefix)
    {
        var id = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        return new UpstreamAccount
        {
            Id = id, Kind = UpstreamKind.Compatible, BaseUrl = "http://127.0.0.1:9/", ApiKey = new UpstreamSecret("the-first-key"), Models = [id], RequestsPerMinute = 600, ImagesPerMinute = 600, MaxConcurrency = 100,
        };
    }

    private async Task<UpstreamAccount> NewAccountAsync(string prefix)
    {
        var id = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var account = new UpstreamAccount
        {
            Id = id, Kind = UpstreamKind.Compatible, BaseUrl = "http://127.0.0.1:9/", ApiKey = new UpstreamSecret("the-first-key"), Models = [id], RequestsPerMinute = 600, ImagesPerMinute = 600, MaxConcurrency = 100,
        };
        await fixture.UpsertAccountsAsync(account);
        return account;
    }

    /// <summary>Five failures in a row open the breaker for its base 30 s.</summary>
    private async Task TripAsync(IAccountGrain grain, string model)
    {
        for (var i = 0; i < 5; i++)
        {
            await FailAsync(grain, model);
        }

        Assert.Equal(BreakerState.Open, (await grain.GetStatusAsync()).Breaker);
    }

    private async Task FailAsync(IAccountGrain grain, string model)
    {
        // The account's pace (600 a minute, a few calls at once) has a token again 200 ms on.
        fixture.Time.Advance(TimeSpan.FromMilliseconds(200));
        var lease = (await grain.TryLeaseAsync(new LeaseRequest { Model = model })).Lease!;
        await grain.ReportOutcomeAsync(new OutcomeReport { LeaseId = lease.Id, Kind = OutcomeKind.ServerError, Model = model });
    }
}
