using System.Net;
using System.Text.Json;
using ImageOrleans.Simulator.Tests.TestSupport;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

/// <summary>Injected faults at rate 1.0, each on its own key through the per-key override.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(new SimulatorOptions
    {
        Keys =
        [
            new SimulatedKey { Key = "fault-500", Faults = new FaultOptions { ServerErrorRate = 1 } },
            new SimulatedKey { Key = "fault-malformed", Faults = new FaultOptions { MalformedRate = 1 } },
            new SimulatedKey { Key = "fault-reset", Faults = new FaultOptions { ResetRate = 1 } },
            new SimulatedKey { Key = "fault-timeout", Faults = new FaultOptions { TimeoutRate = 1 } },
            new SimulatedKey { Key = "fault-none" },
        ],
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ServerErrorRateOneAnswers500()
    {
        using var response = await _host.Client.GenerateAsync("fault-500");

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.StartsWith("The server had an error while processing your request", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, _host.Stats.Keys["fault-500"].FaultsServerError);
        Assert.Equal(0, _host.Stats.Keys["fault-500"].Served);
    }

    [Fact]
    public async Task MalformedRateOneAnswers200WithInvalidJson()
    {
        using var response = await _host.Client.GenerateAsync("fault-malformed");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
        Assert.Equal(1, _host.Stats.Keys["fault-malformed"].FaultsMalformed);
    }

    [Fact]
    public async Task ResetRateOneDropsTheConnection()
    {
        // A fresh connection: HttpClient retries a request whose reused connection dies, which would send it twice.
        using var client = _host.NewClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GenerateAsync("fault-reset"));

        await Eventually.HoldsAsync(() => _host.Stats.Keys["fault-reset"].InFlight == 0, "the reset request to leave the simulator");
        Assert.Equal(1, _host.Stats.Keys["fault-reset"].FaultsReset);
        Assert.Equal(1, _host.Stats.Keys["fault-reset"].Requests);
    }

    [Fact]
    public async Task TimeoutRateOneHangsUntilTheClientGivesUp()
    {
        using var client = _host.NewClient();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GenerateAsync("fault-timeout", cancellationToken: cancellation.Token));

        var counters = _host.Stats.Keys["fault-timeout"];
        await Eventually.HoldsAsync(() => counters.FaultsTimeout == 1 && counters.InFlight == 0, "the hanging request counted as faults_timeout and released");
        Assert.Equal(0, counters.Served);
        Assert.Equal(0, counters.Aborted);
    }

    [Fact]
    public async Task GlobalFaultsApplyToKeysWithoutTheirOwn()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "global" }, new SimulatedKey { Key = "immune", Faults = new FaultOptions() }],
        });

        host.Server.SetFaults(new FaultOptions { ServerErrorRate = 1 });
        using var faulted = await host.Client.GenerateAsync("global");
        using var immune = await host.Client.GenerateAsync("immune");
        host.Server.SetFaults(new FaultOptions());
        using var healed = await host.Client.GenerateAsync("global");

        Assert.Equal(HttpStatusCode.InternalServerError, faulted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, immune.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healed.StatusCode);
    }

    [Fact]
    public async Task PartialRatesFollowTheSeed()
    {
        static async Task<List<HttpStatusCode>> RunAsync()
        {
            await using var host = await SimulatorHost.StartAsync(new SimulatorOptions
            {
                Seed = 42,
                Keys = [new SimulatedKey { Key = "seeded", RequestsPerMinute = 1000, ImagesPerMinute = 1000 }],
                Faults = new FaultOptions { ServerErrorRate = 0.5 },
            });
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 40; i++)
            {
                using var response = await host.Client.GenerateAsync("seeded");
                statuses.Add(response.StatusCode);
            }

            Assert.Equal(statuses.Count(s => s == HttpStatusCode.InternalServerError), host.Stats.Total.FaultsServerError);
            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.InRange(first.Count(s => s == HttpStatusCode.InternalServerError), 10, 30);
    }

    [Fact]
    public void InvalidFaultsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => _host.Server.SetFaults(new FaultOptions { ServerErrorRate = 1.5 }));
        Assert.Throws<ArgumentException>(() => _host.Server.SetFaults(new FaultOptions { ServerErrorRate = 0.6, ResetRate = 0.6 }));
    }
}
