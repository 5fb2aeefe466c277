using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Dispatch;

[Collection(ClusterTests.Name)]
public sealed class DispatchTests(ClusterFixture fixture)
{
    private readonly string _model = "test-model-" + Guid.NewGuid().ToString("N")[..8];

    private IDispatcherGrain Dispatcher => fixture.Grains.GetGrain<IDispatcherGrain>(0);

    [Fact]
    public async Task Routing_prefers_the_least_loaded_account()
    {
        // Upstream calls hang until the fake clock moves, so in-flight counts stay put while we look;
        // the buckets hold far more than ten calls, so only the in-flight counts decide.
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "ll-a" }, new SimulatedKey { Key = "ll-b" }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 30_000 },
        });
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "ll-a", _model, perMinute: 6000, concurrency: 10),
            ClusterFixture.Account(simulator, Id("b"), "ll-b", _model, perMinute: 6000, concurrency: 10));

        var calls = new List<Task<GenerationReply>>();
        for (var i = 1; i <= 10; i++)
        {
            calls.Add(Dispatcher.GenerateAsync(Jobs.For(_model, $"prompt {i}", fixture.Time.GetUtcNow()), CancellationToken.None));
            var sent = i;
            await Eventually.TrueAsync(() => simulator.Stats.Total.Snapshot().InFlight == sent, $"{sent} calls are in flight upstream");
        }

        // Each call went to the account with fewer calls in flight, so the two are level.
        var keys = simulator.Stats.Snapshot().Keys;
        Assert.Equal(5, keys["ll-a"].InFlight);
        Assert.Equal(5, keys["ll-b"].InFlight);

        var replies = await fixture.Time.AdvanceUntilAsync(TimeSpan.FromSeconds(30), Task.WhenAll(calls));
        Assert.All(replies, r => Assert.NotNull(r.Result));
        Assert.Equal(5, replies.Count(r => r.Result!.AccountId == Id("a")));
    }

    [Fact]
    public async Task An_account_that_answered_429_is_avoided_until_its_reset()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            // The upstream keeps its real limit to itself, so only a 429 can reveal it.
            AdvertiseLimits = false,
            Keys = [new SimulatedKey { Key = "rl-a", RequestsPerMinute = 1 }, new SimulatedKey { Key = "rl-b" }],
        });
        var a = ClusterFixture.Account(simulator, Id("a"), "rl-a", _model);
        await fixture.UpsertAccountsAsync(a);

        var firstAt = fixture.Time.GetUtcNow();
        Assert.NotNull((await Generate("first")).Result);

        // Two seconds later the account's pace (just under 60 a minute) allows another call, which
        // meets the upstream's real limit; the request then waits, it is not refused.
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        var second = Generate("second");
        var scheduler = fixture.Silo<CapacityScheduler>();
        await Eventually.TrueAsync(() => simulator.Stats.Keys["rl-a"].Snapshot().RefusedRateLimit == 1, "the second call meets the upstream's limit");
        await Eventually.TrueAsync(() => scheduler.Waiting == 1, "the rate-limited request waits for capacity");
        var status = await fixture.Grains.GetGrain<IAccountGrain>(a.Id).GetStatusAsync();
        // The upstream's Retry-After: its one call a minute comes back a minute after the first.
        Assert.Equal(firstAt + TimeSpan.FromSeconds(60), status.CooldownUntil);
        Assert.Equal(DenyReason.CoolingDown, status.Load.Blocked);

        // A new account joins: the waiting request and the next ones go there, not to the cooling one.
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, Id("b"), "rl-b", _model));
        Assert.Equal(Id("b"), (await second).Result?.AccountId);
        for (var i = 0; i < 5; i++)
        {
            // At b's pace of one call a second, well inside a's minute of cool-down.
            var reply = await fixture.Time.AdvanceUntilAsync(TimeSpan.FromMilliseconds(250), Generate($"while cooling {i}"));
            Assert.Equal(Id("b"), reply.Result?.AccountId);
        }

        Assert.True(fixture.Time.GetUtcNow() < firstAt + TimeSpan.FromSeconds(60), "all of this happened while a cooled down");

        Assert.Equal(2, simulator.Stats.Keys["rl-a"].Snapshot().Requests);

        // After the reset the account serves again; take the other one away to see it chosen.
        fixture.Time.Advance(TimeSpan.FromSeconds(60));
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, Id("b"), "rl-b", _model) with { Enabled = false });
        Assert.Equal(Id("a"), (await Generate("after the reset")).Result?.AccountId);
        Assert.Equal(1, simulator.Stats.Keys["rl-a"].Snapshot().RefusedRateLimit);
    }

    [Fact]
    public async Task Twenty_identical_concurrent_requests_make_one_upstream_call()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "co-a" }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 10_000 },
        });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, Id("a"), "co-a", _model));
        var job = Jobs.For(_model, "one lighthouse at dusk", fixture.Time.GetUtcNow());
        var cache = fixture.Grains.GetGrain<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request));

        var replies = Enumerable.Range(0, 20)
            .Select(i => cache.GetOrGenerateAsync(job with { RequestId = $"req_{i}" }, CancellationToken.None))
            .ToList();
        await Eventually.TrueAsync(() => cache.GetWaitingAsync().AsTask().Result == 20, "all 20 callers wait on the one generation");
        await Eventually.TrueAsync(() => simulator.Stats.Total.Snapshot().InFlight == 1, "the one upstream call is in flight");
        Assert.Equal(1, simulator.Stats.Total.Snapshot().Requests);

        var results = await fixture.Time.AdvanceUntilAsync(TimeSpan.FromSeconds(10), Task.WhenAll(replies));

        Assert.Equal(1, simulator.Stats.Total.Snapshot().Served);
        Assert.Equal(1, results.Count(r => r.Cache == CacheStatus.Miss));
        Assert.Equal(19, results.Count(r => r.Cache == CacheStatus.Coalesced));
        Assert.Single(results.Select(r => r.Result!.Images[0].ImageId).Distinct());

        var again = await cache.GetOrGenerateAsync(job, CancellationToken.None);
        Assert.Equal(CacheStatus.Hit, again.Cache);
        Assert.Equal(1, simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task A_revoked_account_is_taken_out_and_its_traffic_moves_to_the_others()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "dead-a", Revoked = true, RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
                new SimulatedKey { Key = "dead-b", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
                new SimulatedKey { Key = "dead-c", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
            ],
        });
        // A heavy weight makes the dead account the first choice, so it is surely tried; limits far
        // above the run's twelve calls keep pacing out of it (the clock stands still).
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "dead-a", _model, perMinute: 6000) with { Weight = 10 },
            ClusterFixture.Account(simulator, Id("b"), "dead-b", _model, perMinute: 6000),
            ClusterFixture.Account(simulator, Id("c"), "dead-c", _model, perMinute: 6000));

        var replies = new List<GenerationReply>();
        for (var i = 0; i < 12; i++)
        {
            replies.Add(await Generate($"traffic {i}"));
        }

        Assert.All(replies, r => Assert.NotNull(r.Result));
        var stats = simulator.Stats.Snapshot().Keys;
        Assert.Equal(1, stats["dead-a"].RefusedAuth);
        Assert.Equal(1, stats["dead-a"].Requests);
        Assert.Equal(12, stats["dead-b"].Served + stats["dead-c"].Served);
        Assert.True(stats["dead-b"].Served > 0 && stats["dead-c"].Served > 0, "both healthy accounts take a share");

        var status = await fixture.Grains.GetGrain<IAccountGrain>(Id("a")).GetStatusAsync();
        Assert.Equal("unauthorized", status.Exclusions["*"].Reason);
        Assert.Equal(DenyReason.Unauthorized, status.Load.Blocked);
    }

    [Fact]
    public async Task A_failing_account_trips_its_breaker_and_requests_still_succeed_elsewhere()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "sick-a", Faults = new FaultOptions { ServerErrorRate = 1.0 }, RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
                new SimulatedKey { Key = "sick-b", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
            ],
        });
        // Limits far above the run's calls keep pacing out of it (the clock stands still).
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "sick-a", _model, perMinute: 6000) with { Weight = 10 },
            ClusterFixture.Account(simulator, Id("b"), "sick-b", _model, perMinute: 6000));

        for (var i = 0; i < 12; i++)
        {
            var reply = await Generate($"traffic {i}");
            Assert.Equal(Id("b"), reply.Result?.AccountId);
        }

        // Five failures in five calls open the breaker; no more traffic reaches the account.
        Assert.Equal(5, simulator.Stats.Keys["sick-a"].Snapshot().FaultsServerError);
        Assert.Equal(12, simulator.Stats.Keys["sick-b"].Snapshot().Served);
        var status = await fixture.Grains.GetGrain<IAccountGrain>(Id("a")).GetStatusAsync();
        Assert.Equal(BreakerState.Open, status.Breaker);
        Assert.Equal(5, status.ConsecutiveFailures);
    }

    [Fact]
    public async Task Server_errors_are_retried_at_most_three_times_in_total()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "r-a", Faults = new FaultOptions { ServerErrorRate = 1.0 }, RequestsPerMinute = 6000, ImagesPerMinute = 6000 }],
        });
        await fixture.UpsertAccountsAsync(ClusterFixture.Account(simulator, Id("a"), "r-a", _model, perMinute: 6000));

        var reply = await Generate("doomed");

        Assert.Equal((502, "upstream_error"), (reply.Error?.Status, reply.Error?.Code));
        Assert.Equal(3, simulator.Stats.Keys["r-a"].Snapshot().FaultsServerError);
    }

    [Fact]
    public async Task Content_policy_refusals_are_passed_through_without_retry()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "cp-a" }, new SimulatedKey { Key = "cp-b" }] });
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "cp-a", _model),
            ClusterFixture.Account(simulator, Id("b"), "cp-b", _model));

        var reply = await Generate("something forbidden-content here");

        Assert.Equal((400, "content_policy_violation", "prompt"), (reply.Error?.Status, reply.Error?.Code, reply.Error?.Param));
        Assert.Equal(1, simulator.Stats.Total.Snapshot().ContentPolicy);
    }

    [Theory]
    [InlineData("insufficient_quota")]
    [InlineData("forbidden")]
    public async Task Quota_and_permission_errors_take_the_account_out_for_the_model_with_the_reason_visible(string reason)
    {
        var broken = reason == "insufficient_quota"
            ? new SimulatedKey { Key = "q-a", InsufficientQuota = true, RequestsPerMinute = 6000, ImagesPerMinute = 6000 }
            : new SimulatedKey { Key = "q-a", ForbiddenModels = [_model], RequestsPerMinute = 6000, ImagesPerMinute = 6000 };
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [broken, new SimulatedKey { Key = "q-b", RequestsPerMinute = 6000, ImagesPerMinute = 6000 }] });
        await fixture.UpsertAccountsAsync(
            ClusterFixture.Account(simulator, Id("a"), "q-a", _model, perMinute: 6000) with { Weight = 10 },
            ClusterFixture.Account(simulator, Id("b"), "q-b", _model, perMinute: 6000));

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Id("b"), (await Generate($"quota {i}")).Result?.AccountId);
        }

        Assert.Equal(1, simulator.Stats.Keys["q-a"].Snapshot().Requests);
        var status = await fixture.Grains.GetGrain<IAccountGrain>(Id("a")).GetStatusAsync();
        Assert.Equal(reason, status.Exclusions[_model].Reason);
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(15), status.Exclusions[_model].RecheckAt);
        Assert.Contains(_model, status.Load.ExcludedModels);
    }

    [Fact]
    public async Task Azure_and_openai_kinds_reach_their_own_routes_with_their_own_auth()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "az-a" }, new SimulatedKey { Key = "oa-b" }] });
        var azure = ClusterFixture.Account(simulator, Id("azure"), "az-a", _model) with
        {
            Kind = Pool.UpstreamKind.AzureOpenAI,
            BaseUrl = simulator.BaseAddress.ToString(),
            Deployments = new Dictionary<string, string> { [_model] = "my-deployment" },
        };
        var openAI = ClusterFixture.Account(simulator, Id("openai"), "oa-b", _model) with { Kind = Pool.UpstreamKind.OpenAI, Enabled = false };
        await fixture.UpsertAccountsAsync(azure, openAI);

        Assert.Equal(Id("azure"), (await Generate("via azure")).Result?.AccountId);
        Assert.Equal(1, simulator.Stats.Keys["az-a"].Snapshot().Served);

        await fixture.UpsertAccountsAsync(azure with { Enabled = false }, openAI with { Enabled = true });
        Assert.Equal(Id("openai"), (await Generate("via openai")).Result?.AccountId);
        Assert.Equal(1, simulator.Stats.Keys["oa-b"].Snapshot().Served);
    }

    private Task<GenerationReply> Generate(string prompt) =>
        Dispatcher.GenerateAsync(Jobs.For(_model, prompt, fixture.Time.GetUtcNow()), CancellationToken.None);

    private string Id(string suffix) => $"{_model}-{suffix}";
}
