using System.Globalization;
using System.Text.Json;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;

namespace ImageOrleans.Benchmarks;

/// <summary>The simulator and gateway a pool benchmark runs against: started here, or given by URL.</summary>
public sealed class PoolEnvironment : IAsyncDisposable
{
    private readonly HttpClient _stats = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly IReadOnlyList<SimulatorServer> _simulators;
    private readonly InProcessGateway? _gateway;
    private readonly IReadOnlyList<Uri> _simulatorBases;
    private readonly List<IAsyncDisposable> _cluster = [];

    private PoolEnvironment(IReadOnlyList<Uri> gateways, IReadOnlyList<Uri> simulatorBases, IReadOnlyList<SimulatorServer> simulators, InProcessGateway? inProcess)
    {
        Gateways = gateways;
        _simulatorBases = simulatorBases;
        _simulators = simulators;
        _gateway = inProcess;
    }

    /// <summary>The front doors to spread load over: one per silo.</summary>
    public IReadOnlyList<Uri> Gateways { get; }

    public static async Task<PoolEnvironment> StartAsync(PoolBenchmarkOptions options)
    {
        if (options.Gateway is not null)
        {
            return new PoolEnvironment([.. options.Gateway.Split(',').Select(WithSlash)], [WithSlash(options.Simulator!)], [], null);
        }

        if (options.Heterogeneous)
        {
            // One simulator per account: latency, faults and advertising are per simulator.
            var simulators = new List<SimulatorServer>();
            foreach (var (profile, i) in options.Profiles.Select((p, i) => (p, i + 1)))
            {
                simulators.Add(await SimulatorServer.StartAsync(new SimulatorOptions
                {
                    Keys =
                    [
                        new SimulatedKey
                        {
                            Key = $"bench-pool-{i}",
                            RequestsPerMinute = profile.ImagesPerMinute,
                            ImagesPerMinute = profile.ImagesPerMinute,
                            TrueLimitFactor = profile.TrueLimitFactor,
                            RateLimit = options.RateLimit,
                            WindowSeconds = options.WindowSeconds,
                            Faults = profile.FailureRate > 0 ? new FaultOptions { ServerErrorRate = profile.FailureRate } : null,
                        },
                    ],
                    AdvertiseLimits = profile.AdvertiseLimits,
                    Latency = new LatencyOptions { Distribution = "lognormal", MedianMs = profile.LatencyMs, Sigma = 0.25, MaxMs = profile.LatencyMs * 4 },
                }));
            }

            var mixed = GatewaySettings(options, [.. simulators.Select(s => new Uri(s.BaseAddress, "v1/"))]);
            var inProcess = await InProcessGateway.StartAsync(mixed);
            return new PoolEnvironment([inProcess.Address], [.. simulators.Select(s => s.BaseAddress)], simulators, inProcess);
        }

        var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [.. Enumerable.Range(1, options.Accounts).Select(i => new SimulatedKey
            {
                Key = $"bench-pool-{i}",
                RequestsPerMinute = options.ImagesPerMinute,
                ImagesPerMinute = options.ImagesPerMinute,
                TrueLimitFactor = options.TrueLimitFactor,
                RateLimit = options.RateLimit,
                WindowSeconds = options.WindowSeconds,
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

        var settings = GatewaySettings(options, [.. Enumerable.Repeat(new Uri(simulator.BaseAddress, "v1/"), options.Accounts)]);
        if (!options.Cluster)
        {
            var gateway = await InProcessGateway.StartAsync(settings);
            return new PoolEnvironment([gateway.Address], [simulator.BaseAddress], [simulator], gateway);
        }

        // The production profile: separate silo processes sharing Redis and PostgreSQL.
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "io-bench-cluster-" + Guid.NewGuid().ToString("N"))).FullName;
        var redis = await RedisServer.StartAsync(root);
        var postgres = await PostgresServer.StartAsync(root);
        var id = "bench-" + Guid.NewGuid().ToString("N")[..8];
        settings["ImageOrleans:Cluster:Mode"] = "Redis";
        settings["ImageOrleans:Cluster:ClusterId"] = id;
        settings["ImageOrleans:Cluster:ServiceId"] = id;
        settings["ImageOrleans:Cluster:AdvertisedAddress"] = "127.0.0.1";
        settings["ImageOrleans:Cluster:Redis:ConnectionString"] = redis.ConnectionString;
        settings["ImageOrleans:Cluster:PostgreSql:ConnectionString"] = postgres.ConnectionString;
        settings["ImageOrleans:Images:SigningKey"] = "benchmark-signing-key-0123456789abcdef";
        settings["ImageOrleans:Secrets:Keys:bench"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        settings["ImageOrleans:Secrets:ActiveKeyId"] = "bench";
        settings["ImageOrleans:DataPath"] = Path.Combine(root, "data");
        settings["ImageOrleans:FrontDoor:Dashboard"] = "false";
        settings["Logging:LogLevel:Default"] = "Warning";

        // As in production, the silos speak mutual TLS, here with one generated self-signed certificate.
        using var certificate = TestCertificates.CreateSelfSigned("imageorleans-benchmark");
        foreach (var (key, value) in TestCertificates.SiloSettings(certificate, Path.Combine(root, "tls"), "silo"))
        {
            settings[key] = value;
        }

        var silos = new List<SiloProcess>();
        for (var i = 0; i < options.Silos; i++)
        {
            silos.Add(await SiloProcess.StartAsync(i, settings, Path.Combine(root, "logs")));
        }

        var environment = new PoolEnvironment([.. silos.Select(s => s.BaseAddress)], [simulator.BaseAddress], [simulator], null);

        // Stopped in this order: silos first, then the servers they use.
        environment._cluster.AddRange(silos);
        environment._cluster.Add(postgres);
        environment._cluster.Add(redis);
        return environment;
    }

    /// <summary>Configuration of a gateway for this benchmark: the accounts, the tenants' keys, a queue deep enough.</summary>
    public static Dictionary<string, string?> GatewaySettings(PoolBenchmarkOptions options, IReadOnlyList<Uri> simulatorApis)
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
            var limit = options.Profiles[i - 1].ImagesPerMinute.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "Kind"] = "Compatible";
            settings[prefix + "BaseUrl"] = simulatorApis[i - 1].ToString();
            settings[prefix + "ApiKey"] = $"bench-pool-{i}";
            settings[prefix + "Models:0"] = "gpt-image-1";
            settings[prefix + "RequestsPerMinute"] = limit;
            settings[prefix + "ImagesPerMinute"] = limit;
            settings[prefix + "MaxConcurrency"] = "256";
        }

        for (var t = 0; t < options.Tenants; t++)
        {
            var prefix = $"ImageOrleans:ClientKeys:tenant-{t}:";
            settings[prefix + "Key"] = "sk-bench-pool-tenant-key-" + t.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "MaxPriority"] = "High";

            // The benchmark measures the pool, not a key's own quota.
            settings[prefix + "RequestsPerMinute"] = "0";
            settings[prefix + "ImagesPerMinute"] = "0";
        }

        return settings;
    }

    /// <summary>The most 429s any one upstream key gave.</summary>
    public async Task<long> MostRateLimitedPerKeyAsync()
    {
        long most = 0;
        foreach (var simulatorBase in _simulatorBases)
        {
            await using var stream = await _stats.GetStreamAsync(new Uri(simulatorBase, "sim/stats"));
            using var json = await JsonDocument.ParseAsync(stream);
            foreach (var key in json.RootElement.GetProperty("keys").EnumerateObject())
            {
                most = Math.Max(most, key.Value.GetProperty("refused_rate_limit").GetInt64());
            }
        }

        return most;
    }

    public async Task<(long Served, long RateLimited)> UpstreamCountersAsync()
    {
        var each = await PerSimulatorAsync();
        return (each.Sum(e => e.Served), each.Sum(e => e.RateLimited));
    }

    /// <summary>Each simulator's totals; with one simulator per account, each account's.</summary>
    public async Task<IReadOnlyList<(long Served, long RateLimited)>> PerSimulatorAsync()
    {
        var counters = new List<(long, long)>();
        foreach (var simulatorBase in _simulatorBases)
        {
            await using var stream = await _stats.GetStreamAsync(new Uri(simulatorBase, "sim/stats"));
            using var json = await JsonDocument.ParseAsync(stream);
            var totals = json.RootElement.GetProperty("total");
            counters.Add((totals.GetProperty("served").GetInt64(), totals.GetProperty("refused_rate_limit").GetInt64()));
        }

        return counters;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var part in _cluster)
        {
            await part.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var simulator in _simulators)
        {
            await simulator.DisposeAsync();
        }

        _stats.Dispose();
    }

    private static Uri WithSlash(string url) => new(url.EndsWith('/') ? url : url + "/");
}
