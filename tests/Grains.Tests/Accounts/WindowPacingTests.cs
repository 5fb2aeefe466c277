using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>
/// An account under twice its limit of demand, on upstreams that count its limit other than as a
/// bucket: none of them ever refuses a call, from the first second on.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class WindowPacingTests(ClusterFixture fixture)
{
    private readonly string _model = "window-model-" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [InlineData(RateLimitMode.SlidingWindow, 60)]
    [InlineData(RateLimitMode.FixedWindow, 1)]
    [InlineData(RateLimitMode.SlidingWindow, 1)]
    public async Task A_saturated_account_stays_within_every_window_from_the_first_minute(RateLimitMode mode, int windowSeconds)
    {
        // The old buckets sent a burst of 54 and then a minute's refill: 33 refused in the first minute of a sliding window.
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = _model, RequestsPerMinute = 60, ImagesPerMinute = 60, RateLimit = mode, WindowSeconds = windowSeconds }],
        });
        var account = ClusterFixture.Account(simulator, _model + "-a", _model, _model, perMinute: 60, concurrency: 32);
        await fixture.UpsertAccountsAsync(account);
        var scheduler = fixture.Silo<CapacityScheduler>();
        var keyStats = simulator.Stats.Keys[_model];

        // Two and a half minutes of demand at two a second, twice the limit.
        var calls = new List<Task<GenerationReply>>();
        var servedByMinute = new List<long>();
        for (var tick = 0; tick < 300; tick++)
        {
            calls.Add(fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(
                Jobs.For(_model, $"steady {tick}", fixture.Time.GetUtcNow(), wait: TimeSpan.FromSeconds(3)), CancellationToken.None));
            await Eventually.TrueAsync(
                () => scheduler.Waiting == calls.Count(c => !c.IsCompleted),
                "every request is answered or parked in the queue",
                actual: () => $"{scheduler.Waiting} waiting, {calls.Count(c => !c.IsCompleted)} open");
            fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
            if (tick % 120 == 119)
            {
                servedByMinute.Add(keyStats.Snapshot().Served);
            }
        }

        fixture.Time.Advance(TimeSpan.FromSeconds(3));
        await Task.WhenAll(calls);

        Assert.Equal(0, keyStats.Snapshot().RefusedRateLimit);

        // Half-second steps of the fake clock cost some pace; what matters is that the first minute holds no more than the limit.
        Assert.InRange(servedByMinute[0], 35, 60);
        Assert.InRange(servedByMinute[1] - servedByMinute[0], 35, 60);
    }
}
