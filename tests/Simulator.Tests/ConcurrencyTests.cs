using System.Net;
using ImageOrleans.Simulator.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

/// <summary>
/// Concurrency caps and latency. Every admitted request waits a fixed second on a fake clock, so
/// requests stay in flight exactly until the test advances time.
/// </summary>
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private const string Key = "sk-concurrency-0001";
    private readonly FakeTimeProvider _time = new();
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(
        new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = Key, RequestsPerMinute = 1000, ImagesPerMinute = 1000, MaxConcurrency = 2 }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 1000 },
        },
        _time);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task RefusesRequestsBeyondTheCapUntilASlotFrees()
    {
        var counters = _host.Stats.Keys[Key];
        var first = _host.Client.GenerateAsync(Key, "first");
        var second = _host.Client.GenerateAsync(Key, "second");
        await Eventually.HoldsAsync(() => counters.InFlight == 2, "two requests in flight, both waiting on the fake clock");

        using var refused = await _host.Client.GenerateAsync(Key, "third");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = await refused.ReadErrorAsync();
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("concurrent requests", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("1", refused.Header("retry-after"));
        Assert.Equal(1, counters.RefusedConcurrency);
        Assert.False(first.IsCompleted || second.IsCompleted, "the latency holds both requests until the clock moves");

        await AdvanceUntilCompletedAsync(first, second);
        using (var firstResponse = await first)
        using (var secondResponse = await second)
        {
            Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
            Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        }

        await Eventually.HoldsAsync(() => counters.InFlight == 0, "both requests to leave the simulator");
        var fourth = _host.Client.GenerateAsync(Key, "fourth");
        await AdvanceUntilCompletedAsync(fourth);
        using var fourthResponse = await fourth;
        Assert.Equal(HttpStatusCode.OK, fourthResponse.StatusCode);
        Assert.Equal(2, counters.MaxInFlight);
        Assert.Equal(3, counters.Served);
    }

    [Fact]
    public async Task AClientThatLeavesDuringTheLatencyIsCountedAsAborted()
    {
        const string key = "sk-aborting-client-01";
        _host.Server.UpsertKey(new SimulatedKey { Key = key });
        var counters = _host.Stats.Keys[key];
        using var client = _host.NewClient();
        using var cancellation = new CancellationTokenSource();

        var pending = client.GenerateAsync(key, cancellationToken: cancellation.Token);
        await Eventually.HoldsAsync(() => counters.InFlight == 1, "the request to be waiting out its latency");
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await Eventually.HoldsAsync(() => counters.Aborted == 1 && counters.InFlight == 0, "the simulator to notice the disconnect and count it as aborted");
        Assert.Equal(0, counters.Served);
    }

    // The server registers its delay timer a moment after a request is counted in flight, so the
    // clock is nudged until the responses arrive instead of advanced exactly once.
    private async Task AdvanceUntilCompletedAsync(params Task[] requests)
    {
        await Eventually.HoldsAsync(
            () =>
            {
                if (requests.All(r => r.IsCompleted))
                {
                    return true;
                }

                _time.Advance(TimeSpan.FromSeconds(1));
                return false;
            },
            "the delayed requests to complete once the fake clock passes their latency");
    }
}
