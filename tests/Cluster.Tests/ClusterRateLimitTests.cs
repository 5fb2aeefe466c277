using System.Net;
using ImageOrleans.Cluster.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Cluster.Tests;

/// <summary>Several silos as separate processes, one pool: an account's limit holds for the cluster as a whole.</summary>
[Collection(ServersTests.Name)]
public sealed class ClusterRateLimitTests(ServersFixture servers)
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task An_accounts_limit_holds_across_all_silos(int silos)
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "sk-cl-upstream-secret-1", RequestsPerMinute = 30, ImagesPerMinute = 30 },
                new SimulatedKey { Key = "sk-cl-upstream-secret-2", RequestsPerMinute = 30, ImagesPerMinute = 30 },
            ],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 100 },
        });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
        {
            ProcessCluster.Account(settings, simulator, "a1", "sk-cl-upstream-secret-1", perMinute: 30);
            ProcessCluster.Account(settings, simulator, "a2", "sk-cl-upstream-secret-2", perMinute: 30);
        });
        await cluster.StartAsync(silos);

        // Four times what the two accounts may take in a minute, at once, spread over every silo's front
        // door. Each account spreads its calls at its pace (30 a minute: one every two seconds), whichever
        // silo asks.
        var started = DateTimeOffset.UtcNow;
        var responses = await Task.WhenAll(Enumerable.Range(0, 240).Select(i => cluster.GenerateAsync(i % silos, $"cluster limit {i}", timeoutMs: 6000)));
        var elapsed = DateTimeOffset.UtcNow - started;

        Assert.All(responses, r => Assert.Contains(r.StatusCode, (HttpStatusCode[])[HttpStatusCode.OK, HttpStatusCode.GatewayTimeout]));
        var served = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var stats = simulator.Stats.Snapshot();

        // The simulator refuses anything beyond its per-key bucket: zero refusals means the leases
        // every silo granted together stayed inside each account's limit.
        Assert.Equal(0, stats.Total.RefusedRateLimit);
        Assert.Equal(served, (int)stats.Total.Served);
        foreach (var key in (string[])["sk-cl-upstream-secret-1", "sk-cl-upstream-secret-2"])
        {
            // At its pace through the six seconds the requests wait, and never faster, however many silos ask.
            Assert.InRange(stats.Keys[key].Served, 2, 1 + (int)Math.Ceiling(elapsed.TotalSeconds * 0.5));
        }

        // Every silo's front door answered, each request with an image or an OpenAI-shaped timeout.
        Assert.Equal(240, responses.Length);

        // No silo wrote an upstream key or the client key to its log.
        await cluster.StopAllAsync();
        var logs = cluster.Logs();
        Assert.Contains("Pool seeded from configuration", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("upstream-secret", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(ProcessCluster.ClientKey, logs, StringComparison.Ordinal);
    }
}
