using System.Security.Cryptography;
using System.Text;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.ClientKeys;

/// <summary>
/// Money follows the generation: the key whose job started an upstream generation pays for it when it
/// completes, whether or not its client still listens; whoever is answered from it pays nothing.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class SettlementTests(ClusterFixture fixture)
{
    // Priced per image, so every generation costs the same: dall-e-2 $0.02, dall-e-3 $0.04 at 1024x1024.
    // Each test has a model of its own, so that it routes to its own simulator.
    private const string Model = "dall-e-2";
    private const string OtherModel = "dall-e-3";
    private static readonly TimeSpan Latency = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Aborting_and_replaying_or_aborting_the_first_of_two_twins_never_gets_an_image_for_free()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "pay-a" }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = (int)Latency.TotalMilliseconds },
        });
        var account = "pay-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, account, "pay-a", Model));
        const decimal Budget = 0.13m;
        var keyId = "payer-" + Guid.NewGuid().ToString("N")[..8];
        var key = fixture.Grains.GetGrain<IClientKeyGrain>(keyId);
        await key.CreateAsync(new ClientKeySettings { Name = "payer", DailyBudgetUsd = Budget }, Hash(keyId), "sk-io-…test");

        var answeredCosts = new List<decimal>();
        var stoppedByBudget = false;
        for (var round = 0; round < 20 && !stoppedByBudget; round++)
        {
            var first = await AdmitAsync(key, keyId, $"round {round:00} abort and replay");
            if (first is null)
            {
                stoppedByBudget = true;
                break;
            }

            // Start under an Idempotency-Key, abort while the upstream works, then replay.
            var idempotency = fixture.Grains.GetGrain<IIdempotencyGrain>($"{keyId}/round-{round}");
            var fingerprint = CacheKey.For(first.Tenant, first.Request);
            using (var abort = new CancellationTokenSource())
            {
                var started = idempotency.RunAsync(fingerprint, first, bypassCache: false, abort.Token);
                await UpstreamBusyAsync(simulator);
                await abort.CancelAsync();
                await AbortedAsync(started);
            }

            var replay = await AdmitAsync(key, keyId, $"round {round:00} abort and replay");
            if (replay is null)
            {
                await CompleteAsync(UpstreamIdleAsync(simulator));
                stoppedByBudget = true;
                break;
            }

            var replayed = await CompleteAsync(idempotency.RunAsync(fingerprint, replay, bypassCache: false, CancellationToken.None));
            Assert.True(replayed.Replayed);
            answeredCosts.Add(replayed.Reply.Result!.CostUsd);

            // Two identical requests; the first one's client leaves while the second waits on it.
            var twin = await AdmitAsync(key, keyId, $"round {round:00} two twins ab");
            var other = await AdmitAsync(key, keyId, $"round {round:00} two twins ab");
            if (twin is null || other is null)
            {
                // The twin that was admitted never runs here: its client gives up.
                await key.ReleaseAsync((twin ?? other)?.ReservationId ?? Guid.Empty);
                stoppedByBudget = true;
                break;
            }

            var cache = fixture.Grains.GetGrain<IPromptCacheGrain>(CacheKey.For(twin.Tenant, twin.Request));
            using var leave = new CancellationTokenSource();
            var leaving = cache.GetOrGenerateAsync(twin, leave.Token);
            await UpstreamBusyAsync(simulator);
            var staying = cache.GetOrGenerateAsync(other, CancellationToken.None);
            await Eventually.TrueAsync(() => cache.GetWaitingAsync().AsTask().Result == 2, "both twins wait on one generation");
            await leave.CancelAsync();
            await AbortedAsync(leaving);
            var coalesced = await CompleteAsync(staying);
            Assert.Equal(CacheStatus.Coalesced, coalesced.Cache);
            answeredCosts.Add(coalesced.Result!.CostUsd);
        }

        var produced = simulator.Stats.Total.Snapshot();
        var view = (await key.GetAsync())!;
        Assert.True(stoppedByBudget, $"the budget should stop the loop; spent {view.DaySpentUsd} of {Budget}");
        Assert.True(produced.Served >= 4, $"several generations before the budget ran out, got {produced.Served}");
        Assert.Equal(produced.Served, answeredCosts.Count);
        Assert.All(answeredCosts, c => Assert.Equal(0.02m, c));

        // Every image the upstream produced was paid for once, and nothing the clients saw twice was paid again.
        Assert.Equal(produced.Images * 0.02m, view.DaySpentUsd);
        Assert.Equal(produced.Served * 0.02m, view.SavedUsd);
        Assert.Equal(0m, view.ReservedUsd);
        Assert.True(view.DaySpentUsd <= Budget);

        await key.FlushUsageAsync();
        var month = fixture.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var rows = await fixture.Grains.GetGrain<Usage.IUsageLedgerGrain>($"{keyId}/{month}").GetAsync();
        Assert.Equal(produced.Images, rows.Sum(r => r.Generated));
        Assert.Equal(view.DaySpentUsd, rows.Sum(r => r.SpendUsd));
    }

    [Fact]
    public async Task A_generation_cancelled_before_the_upstream_answered_costs_nothing()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "free-a" }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = (int)Latency.TotalMilliseconds },
        });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, "free-" + Guid.NewGuid().ToString("N")[..8], "free-a", OtherModel));
        var keyId = "nopay-" + Guid.NewGuid().ToString("N")[..8];
        var key = fixture.Grains.GetGrain<IClientKeyGrain>(keyId);
        await key.CreateAsync(new ClientKeySettings { Name = "nopay", DailyBudgetUsd = 1m }, Hash(keyId), "sk-io-…test");

        var job = (await AdmitAsync(key, keyId, "left before the upstream answered", OtherModel, 0.0408m))!;
        var cache = fixture.Grains.GetGrain<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request));
        using var leave = new CancellationTokenSource();
        var leaving = cache.GetOrGenerateAsync(job, leave.Token);
        await UpstreamBusyAsync(simulator);
        await leave.CancelAsync();
        await AbortedAsync(leaving);

        // The gateway hangs up on the upstream before it answers.
        await Eventually.TrueAsync(() => simulator.Stats.Total.Snapshot().InFlight == 0, "the upstream call is abandoned",
            actual: () => simulator.Stats.Total.Snapshot().ToString());
        fixture.Time.Advance(Latency);

        // The dispatcher settles the cancelled job: its reservation is released and nothing is charged.
        await Eventually.TrueAsync(() => key.GetAsync().AsTask().Result!.ReservedUsd == 0m, "the cancelled job's reservation is released");
        Assert.Equal(0m, (await key.GetAsync())!.DaySpentUsd);
    }

    private async Task<GenerationJob?> AdmitAsync(IClientKeyGrain key, string keyId, string prompt, string model = Model, decimal worstCase = 0.0204m)
    {
        var now = fixture.Time.GetUtcNow();
        var admission = await key.AdmitAsync(new AdmissionRequest
        {
            Model = model,
            Options = [new(null, worstCase)],
            ReservationExpires = now + TimeSpan.FromHours(1),
        });
        if (!admission.Admitted)
        {
            Assert.Equal("budget_exceeded", admission.Error!.Code);
            return null;
        }

        return new GenerationJob
        {
            RequestId = "req_" + Guid.NewGuid().ToString("N"),
            ClientKeyId = keyId,
            Tenant = keyId,
            Request = new ImageRequest { Model = model, Prompt = prompt, N = 1, Size = "1024x1024" },
            AcceptedAt = now,
            Deadline = now + TimeSpan.FromMinutes(30),
            ReservationId = admission.ReservationId,
        };
    }

    /// <summary>The caller sees its call cancelled; the reservation stays with the grains, which settle it.</summary>
    private static Task<OperationCanceledException> AbortedAsync(Task call) => Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

    private Task<T> CompleteAsync<T>(Task<T> pending) => fixture.Time.AdvanceUntilAsync(Latency, pending);

    private static async Task<bool> UpstreamIdleAsync(SimulatorServer simulator)
    {
        await Eventually.TrueAsync(() => simulator.Stats.Total.Snapshot().InFlight == 0, "the upstream is idle");
        return true;
    }

    private static Task UpstreamBusyAsync(SimulatorServer simulator) =>
        Eventually.TrueAsync(() => simulator.Stats.Total.Snapshot().InFlight == 1, "the upstream call is in flight", actual: () => simulator.Stats.Total.Snapshot().ToString());

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
