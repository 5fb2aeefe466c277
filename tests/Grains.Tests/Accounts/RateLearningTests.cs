using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>Accounts whose real limit is lower than configured: the gateway finds the real one and stops drawing 429s.</summary>
[Collection(ClusterTests.Name)]
public sealed class RateLearningTests(ClusterFixture fixture)
{
    private readonly string _model = "learn-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task An_advertised_lower_limit_is_adopted_without_slowing_down_further()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = _model, RequestsPerMinute = 20, ImagesPerMinute = 20, TrueLimitFactor = 0.5 }],
        });
        var account = ClusterFixture.Account(simulator, _model + "-a", _model, _model, perMinute: 20, concurrency: 32);
        await fixture.UpsertAccountsAsync(account);

        // Nine at once: the first call goes (our burst is one call) and its headers say 10 a minute,
        // so the other eight wait at that pace instead of drawing 429s; they pass their one-second deadline.
        var calls = Enumerable.Range(0, 9).Select(i => Dispatch($"burst {i}")).ToList();
        var keyStats = simulator.Stats.Keys[_model];
        await Eventually.TrueAsync(() => keyStats.Snapshot().Served == 1, "one served", actual: () => keyStats.Snapshot().ToString());
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var burst = await Task.WhenAll(calls);
        Assert.Equal(1, burst.Count(r => r.Result is not null));
        Assert.Equal(8, burst.Count(r => r.Error?.Code == "queue_timeout"));
        Assert.Equal(0, keyStats.Snapshot().RefusedRateLimit);
        var status = await fixture.Grains.GetGrain<IAccountGrain>(account.Id).GetStatusAsync();
        Assert.Equal(1.0, status.LearnedRateFactor);
        Assert.Equal(10 * 0.995 / 60, status.Load.RequestRatePerSecond, 9);
    }

    [Fact]
    public async Task A_silent_lower_limit_is_learned_from_429s_and_they_stop()
    {
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            // The upstream enforces 10 a minute and says nothing about it.
            AdvertiseLimits = false,
            Keys = [new SimulatedKey { Key = _model, RequestsPerMinute = 20, ImagesPerMinute = 20, TrueLimitFactor = 0.5 }],
        });
        var account = ClusterFixture.Account(simulator, _model + "-a", _model, _model, perMinute: 20, concurrency: 32);
        await fixture.UpsertAccountsAsync(account);
        var scheduler = fixture.Silo<ImageOrleans.Grains.Queueing.CapacityScheduler>();
        var keyStats = simulator.Stats.Keys[_model];
        var rateLimitedByMinute = new List<long>();
        var servedByMinute = new List<long>();

        // Twelve minutes of demand at 30 a minute, three times the real limit, the clock in half-second steps.
        var calls = new List<Task<GenerationReply>>();
        for (var tick = 0; tick < 12 * 60 * 2; tick++)
        {
            if (tick % 4 == 0)
            {
                calls.Add(Dispatch($"steady {tick}", TimeSpan.FromSeconds(5)));
            }

            await Eventually.TrueAsync(
                () => scheduler.Waiting == calls.Count(c => !c.IsCompleted),
                "every request is answered or parked in the queue",
                actual: () => $"{scheduler.Waiting} waiting, {calls.Count(c => !c.IsCompleted)} open");
            fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
            if (tick % 120 == 119)
            {
                rateLimitedByMinute.Add(keyStats.Snapshot().RefusedRateLimit);
                servedByMinute.Add(keyStats.Snapshot().Served);
            }
        }

        // The last requests' deadlines pass: everything has ended.
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        await Task.WhenAll(calls);

        // 429s teach the pace once the upstream's bucket is spent; recovery climbs back in seconds to
        // just under the last failing pace, and once the pace sits just under the real limit they stop for good.
        Assert.True(rateLimitedByMinute[2] > 0, "the real limit only shows through 429s");
        Assert.True(rateLimitedByMinute[7] == rateLimitedByMinute[^1], "429s by minute: " + string.Join(" ", rateLimitedByMinute) + " served " + string.Join(" ", servedByMinute));
        Assert.InRange(rateLimitedByMinute[^1], 3, 14);

        // Meanwhile the account keeps serving close to the real limit: over the last four minutes, 8.5 to 10 a minute.
        Assert.InRange(servedByMinute[^1] - servedByMinute[^5], 34, 40);
    }

    private Task<GenerationReply> Dispatch(string prompt, TimeSpan wait) =>
        fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(
            Jobs.For(_model, prompt, fixture.Time.GetUtcNow(), wait: wait), CancellationToken.None);

    private Task<GenerationReply> Dispatch(string prompt) =>
        fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(
            Jobs.For(_model, prompt, fixture.Time.GetUtcNow(), wait: TimeSpan.FromSeconds(1)), CancellationToken.None);
}
