using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>Successes are booked with their account behind the answers, several to a call when they end together.</summary>
[Collection(ClusterTests.Name)]
public sealed class OutcomeReporterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Outcomes_that_end_while_one_is_being_booked_are_booked_together_and_every_lease_ends()
    {
        var id = "rep-" + Guid.NewGuid().ToString("N")[..8];
        var model = id + "-m";
        await fixture.UpsertAccountsAsync(new UpstreamAccount
        {
            Id = id, Kind = UpstreamKind.Compatible, BaseUrl = "http://127.0.0.1:9/", Models = [model], RequestsPerMinute = 6000, ImagesPerMinute = 6000,
        });
        var account = fixture.Grains.GetGrain<IAccountGrain>(id);
        var leases = new List<Lease>();
        for (var i = 0; i < 5; i++)
        {
            leases.Add((await account.TryLeaseAsync(new LeaseRequest { Model = model })).Lease!);
        }

        Assert.Equal(5, (await account.GetStatusAsync()).Load.InFlight);

        // The first report goes at once; the four queued behind it while it is in flight go in one call.
        var reporter = fixture.Silo<OutcomeReporter>();
        foreach (var lease in leases)
        {
            reporter.Report(id, new OutcomeReport { LeaseId = lease.Id, Kind = OutcomeKind.Success, Model = model, CostUsd = 0.01m });
        }

        await Eventually.TrueAsync(() => account.GetStatusAsync().AsTask().Result is { Load.InFlight: 0, Successes: 5 }, "all five outcomes are booked and their leases ended");
        Assert.Equal(0.05m, (await account.GetStatusAsync()).SpendTodayUsd);
    }
}
