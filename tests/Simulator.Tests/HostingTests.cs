using System.Net;
using ImageOrleans.Simulator.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

public sealed class HostingTests
{
    [Fact]
    public async Task InvalidOptionsFailAtStart()
    {
        var options = new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "dup" }, new SimulatedKey { Key = "dup", RequestsPerMinute = 0 }],
            Faults = new FaultOptions { TimeoutRate = 0.7, ResetRate = 0.7 },
            Latency = new LatencyOptions { Distribution = "gaussian" },
            Image = new ImageOptions { Width = 0 },
        };

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => SimulatorServer.StartAsync(options));

        Assert.Contains(failure.Failures, f => f.Contains("Keys[1].Key duplicates", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("Keys[1].RequestsPerMinute", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("must not exceed 1", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("Latency.Distribution", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("Image.Width", StringComparison.Ordinal));
        Assert.DoesNotContain(failure.Failures, f => f.Contains("\"dup\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpsertKeyValidates()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());

        Assert.Throws<ArgumentException>(() => host.Server.UpsertKey(new SimulatedKey { Key = "" }));
        Assert.Throws<ArgumentException>(() => host.Server.UpsertKey(new SimulatedKey { Key = "k", MaxConcurrency = -1 }));
        Assert.Empty(host.Stats.Keys);
    }

    [Fact]
    public async Task LaterEditsToTheOptionsObjectDoNotLeakIn()
    {
        var key = new SimulatedKey { Key = "copied", RequestsPerMinute = 1 };
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Keys = [key] });

        key.Revoked = true;
        key.RequestsPerMinute = 1000;

        using var response = await host.Client.GenerateAsync("copied");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Header("x-ratelimit-limit-requests"));
    }

    [Fact]
    public async Task AddImageSimulatorBindsTheSimulatorSectionOfAConfigurationRoot()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Simulator:Keys:0:Key"] = "configured-key",
                ["Simulator:Keys:0:RequestsPerMinute"] = "7",
                ["Simulator:Keys:0:ImagesPerMinute"] = "9",
                ["Simulator:Keys:0:ForbiddenModels:0"] = "dall-e-3",
                ["Simulator:Image:Width"] = "16",
                ["Simulator:Image:Height"] = "8",
            })
            .Build();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddImageSimulator(configuration);
        await using var app = builder.Build();
        app.MapImageSimulator();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        using var ok = await client.GenerateAsync("configured-key");
        using var forbidden = await client.GenerateAsync("configured-key", model: "dall-e-3");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("7", ok.Header("x-ratelimit-limit-requests"));
        Assert.Equal("9", ok.Header("x-ratelimit-limit-images"));
        var png = PngReader.Decode(Convert.FromBase64String((await ok.ReadJsonAsync()).GetProperty("data")[0].GetProperty("b64_json").GetString()!));
        Assert.Equal((16, 8), (png.Width, png.Height));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task AddImageSimulatorBindsASectionAsIs()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Upstream:Keys:0:Key"] = "section-key" })
            .Build();
        var services = new ServiceCollection();

        services.AddImageSimulator(configuration.GetSection("Upstream"));
        await using var provider = services.BuildServiceProvider();

        Assert.Equal("section-key", provider.GetRequiredService<IOptions<SimulatorOptions>>().Value.Keys.Single().Key);
    }

    [Fact]
    public void TheSampleAppSettingsHoldFourKeysAtTenPerMinute()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "simulator.json"))
            .Build();
        var options = configuration.GetSection(SimulatorOptions.SectionName).Get<SimulatorOptions>()!;

        Assert.Equal(["sim-key-1", "sim-key-2", "sim-key-3", "sim-key-4"], options.Keys.Select(k => k.Key));
        Assert.All(options.Keys, k => Assert.Equal((10, 10), (k.RequestsPerMinute, k.ImagesPerMinute)));
        Assert.True(new SimulatorOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task StopAndDisposeAreIdempotent()
    {
        var host = await SimulatorHost.StartAsync(new SimulatorOptions());

        await host.Server.StopAsync();
        await host.Server.StopAsync();
        await host.DisposeAsync();
    }
}
