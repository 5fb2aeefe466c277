using Xunit.Abstractions;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>Routing on health through the whole dispatch path, as a new user would try it.</summary>
[Collection(ClusterTests.Name)]
public sealed class HealthRoutingTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private readonly string _model = "even-model-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Five_equal_accounts_at_half_load_each_serve_a_fifth_of_a_thousand_requests()
    {
        var keys = Enumerable.Range(1, 5).Select(i => $"{_model}-{i}").ToList();
        var simulator = await fixture.StartSimulatorAsync(new SimulatorOptions
        {
            Keys = [.. keys.Select(k => new SimulatedKey { Key = k, RequestsPerMinute = 120, ImagesPerMinute = 120 })],
        });
        await fixture.UpsertAccountsAsync([.. keys.Select(k => ClusterFixture.Account(simulator, k, k, _model, perMinute: 120))]);

        // The pool earns ten requests a second; five a second are offered.
        var served = keys.ToDictionary(k => k, _ => 0);
        for (var i = 0; i < 1000; i++)
        {
            var reply = await fixture.Grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(Jobs.For(_model, $"even {i}", fixture.Time.GetUtcNow(), $"t{i % 4}"), CancellationToken.None);
            served[reply.Result!.AccountId]++;
            fixture.Time.Advance(TimeSpan.FromMilliseconds(200));
        }

        output.WriteLine("served per account: " + string.Join(" ", keys.Select(k => served[k])));
        Assert.All(keys, k => Assert.InRange(served[k], 180, 220));
        Assert.Equal(0, simulator.Stats.Total.Snapshot().RefusedRateLimit);
    }
}
