using System.Globalization;
using System.Text.Json;
using ImageOrleans.Simulator;

namespace ImageOrleans.Benchmarks;

/// <summary>The simulator and gateway a pool benchmark runs against: started here, or given by URL.</summary>
public sealed class PoolEnvironment : IAsyncDisposable
{
    private readonly HttpClient _stats = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly SimulatorServer? _simulator;
    private readonly InProcessGateway? _gateway;
    private readonly Uri _simulatorBase;

    private PoolEnvironment(Uri gateway, Uri simulatorBase, SimulatorServer? simulator, InProcessGateway? inProcess)
    {
        Gateway = gateway;
        _simulatorBase = simulatorBase;
        _simulator = simulator;
        _gateway = inProcess;
    }

    public Uri Gateway { get; }

    public static async Task<PoolEnvironment> StartAsync(PoolBenchmarkOptions options)
    {
        if (options.Gateway is not null)
        {
            return new PoolEnvironment(WithSlash(options.Gateway), WithSlash(options.Simulator!), null, null);
        }

        var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [.. Enumerable.Range(1, options.Accounts).Select(i => new SimulatedKey
            {
                Key = $"bench-pool-{i}",
                RequestsPerMinute = options.ImagesPerMinute,
                ImagesPerMinute = options.ImagesPerMinute,
                TrueLimitFactor = options.TrueLimitFactor,
            })],
            AdvertiseLimits = options.AdvertiseLimits,
            Latency = new LatencyOptions
            {
                Distribution = options.UpstreamLatencyMs > 0 ? "lognormal" : "fixed",
                MedianMs = options.UpstreamLatencyMs,
                Sigma = 0.25,
                MaxMs = options.UpstreamLatencyMs * 4,
            },
        });

        var gateway = await InProcessGateway.StartAsync(GatewaySettings(options, new Uri(simulator.BaseAddress, "v1/")));
        return new PoolEnvironment(gateway.Address, simulator.BaseAddress, simulator, gateway);
    }

    /// <summary>Configuration of a gateway for this benchmark: the accounts, the tenants' keys, a queue deep enough.</summary>
    public static Dictionary<string, string?> GatewaySettings(PoolBenchmarkOptions options, Uri simulatorApi)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ImageOrleans:Simulator:Embedded"] = "false",
            ["ImageOrleans:Dispatch:QueueDepth"] = options.QueueDepth.ToString(CultureInfo.InvariantCulture),
            ["ImageOrleans:Cache:Enabled"] = "false",
        };
        for (var i = 1; i <= options.Accounts; i++)
        {
            var prefix = $"ImageOrleans:Accounts:bench-{i}:";
            settings[prefix + "Kind"] = "Compatible";
            settings[prefix + "BaseUrl"] = simulatorApi.ToString();
            settings[prefix + "ApiKey"] = $"bench-pool-{i}";
            settings[prefix + "Models:0"] = "gpt-image-1";
            settings[prefix + "RequestsPerMinute"] = options.ImagesPerMinute.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "ImagesPerMinute"] = options.ImagesPerMinute.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "MaxConcurrency"] = "256";
        }

        for (var t = 0; t < options.Tenants; t++)
        {
            var prefix = $"ImageOrleans:ClientKeys:tenant-{t}:";
            settings[prefix + "Key"] = "sk-bench-tenant-" + t.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "MaxPriority"] = "High";
        }

        return settings;
    }

    public async Task<(long Served, long RateLimited)> UpstreamCountersAsync()
    {
        await using var stream = await _stats.GetStreamAsync(new Uri(_simulatorBase, "sim/stats"));
        using var json = await JsonDocument.ParseAsync(stream);
        var totals = json.RootElement.GetProperty("total");
        return (totals.GetProperty("served").GetInt64(), totals.GetProperty("refused_rate_limit").GetInt64());
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        _stats.Dispose();
    }

    private static Uri WithSlash(string url) => new(url.EndsWith('/') ? url : url + "/");
}
