using System.Net;
using System.Text.Json;
using ImageOrleans.Simulator.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

/// <summary>Exact counters after a known sequence, in process and over /sim/stats, and /sim/reset.</summary>
public sealed class StatsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(
        new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "stats-a", RequestsPerMinute = 3, ImagesPerMinute = 10 },
                new SimulatedKey { Key = "stats-revoked", Revoked = true },
                new SimulatedKey { Key = "stats-quota", InsufficientQuota = true },
                new SimulatedKey { Key = "stats-forbidden", ForbiddenModels = ["dall-e-3"] },
            ],
        },
        _time);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CountersAreExactAfterAKnownSequence()
    {
        await ExpectAsync(HttpStatusCode.OK, _host.Client.GenerateAsync("stats-a", n: 1));
        await ExpectAsync(HttpStatusCode.OK, _host.Client.GenerateAsync("stats-a", n: 2));
        await ExpectAsync(HttpStatusCode.BadRequest, _host.Client.PostRawAsync("v1/images/generations", "stats-a", """{"n":1}"""));
        await ExpectAsync(HttpStatusCode.BadRequest, _host.Client.GenerateAsync("stats-a", "forbidden-content please"));
        await ExpectAsync(HttpStatusCode.TooManyRequests, _host.Client.GenerateAsync("stats-a"));
        await ExpectAsync(HttpStatusCode.Unauthorized, _host.Client.GenerateAsync("stats-unknown-key"));
        await ExpectAsync(HttpStatusCode.Unauthorized, _host.Client.GenerateAsync(apiKey: null));
        await ExpectAsync(HttpStatusCode.Unauthorized, _host.Client.GenerateAsync("stats-revoked"));
        await ExpectAsync(HttpStatusCode.TooManyRequests, _host.Client.GenerateAsync("stats-quota"));
        await ExpectAsync(HttpStatusCode.Forbidden, _host.Client.GenerateAsync("stats-forbidden", model: "dall-e-3"));

        var snapshot = _host.Stats.Snapshot();
        Assert.Equal(
            new CountersSnapshot(
                Requests: 10, Served: 2, Images: 3, RefusedRateLimit: 1, RefusedConcurrency: 0, RefusedAuth: 3, RefusedQuota: 1,
                RefusedForbidden: 1, RefusedInvalid: 1, ContentPolicy: 1, FaultsServerError: 0, FaultsTimeout: 0, FaultsReset: 0,
                FaultsMalformed: 0, Aborted: 0, InFlight: 0, MaxInFlight: 1),
            snapshot.Total);
        Assert.Equal(
            new CountersSnapshot(
                Requests: 5, Served: 2, Images: 3, RefusedRateLimit: 1, RefusedConcurrency: 0, RefusedAuth: 0, RefusedQuota: 0,
                RefusedForbidden: 0, RefusedInvalid: 1, ContentPolicy: 1, FaultsServerError: 0, FaultsTimeout: 0, FaultsReset: 0,
                FaultsMalformed: 0, Aborted: 0, InFlight: 0, MaxInFlight: 1),
            snapshot.Keys["stats-a"]);
        Assert.Equal(1, snapshot.Keys["stats-revoked"].RefusedAuth);
        Assert.Equal(1, snapshot.Keys["stats-revoked"].Requests);
        Assert.Equal(1, snapshot.Keys["stats-quota"].RefusedQuota);
        Assert.Equal(1, snapshot.Keys["stats-forbidden"].RefusedForbidden);
        Assert.Equal(["stats-a", "stats-forbidden", "stats-quota", "stats-revoked"], snapshot.Keys.Keys);
        Assert.Equal(snapshot.Total.Served, _host.Stats.Total.Served);

        using var json = await _host.Client.GetAsync("sim/stats");
        var stats = await json.ReadJsonAsync();
        var total = stats.GetProperty("total");
        Assert.Equal(
            ["requests", "served", "images", "refused_rate_limit", "refused_concurrency", "refused_auth", "refused_quota", "refused_forbidden",
                "refused_invalid", "content_policy", "faults_server_error", "faults_timeout", "faults_reset", "faults_malformed", "aborted",
                "in_flight", "max_in_flight", "faults_truncated", "faults_slow_body"],
            total.EnumerateObject().Select(p => p.Name));
        Assert.Equal(10, total.GetProperty("requests").GetInt64());
        Assert.Equal(3, total.GetProperty("refused_auth").GetInt64());
        Assert.Equal(3, stats.GetProperty("keys").GetProperty("stats-a").GetProperty("images").GetInt64());

        using var reset = await _host.Client.PostAsync("sim/reset", content: null);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(new CountersSnapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), _host.Stats.Snapshot().Total);
        await ExpectAsync(HttpStatusCode.OK, _host.Client.GenerateAsync("stats-a"));
    }

    [Fact]
    public void SnapshotsSerializeInSnakeCase()
    {
        var json = JsonSerializer.Serialize(_host.Stats.Snapshot(), Api.SimulatorJsonContext.Default.SimulatorStatsSnapshot);

        Assert.Contains("\"max_in_flight\":", json, StringComparison.Ordinal);
        Assert.Contains("\"keys\":{\"stats-a\":", json, StringComparison.Ordinal);
    }

    private static async Task ExpectAsync(HttpStatusCode expected, Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.Equal(expected, response.StatusCode);
    }
}
