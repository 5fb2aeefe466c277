using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageOrleans.Simulator;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// A fault matrix: each scenario starts a simulator whose every key (account) breaks in the given
/// ways with the given probabilities, and a fresh gateway over it, offers requests at a steady rate,
/// and measures client success, lost requests (no HTTP answer), upstream calls per client request
/// and latency. Scenarios: <c>mix</c> (5xx, hangs, resets, truncations on every account),
/// <c>mix-slow-body</c> (the same plus slow bodies), <c>one-down</c> (the mix, and one account
/// failing every call), <c>all-down</c> (every account failing every call).
/// </summary>
public static class FaultsBenchmark
{
    private const string ClientKey = "sk-bench-faults-tenant-key-0";

    public static async Task<int> RunAsync(ArgReader args)
    {
        var options = FaultsBenchmarkOptions.Read(args);
        args.EnsureAllUsed();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"faults: {options.Requests} requests at {options.RatePerSecond}/s per scenario; faults per call: 5xx {options.ServerErrorRate:P0}, hang {options.HangRate:P0}, reset {options.ResetRate:P0}, truncated {options.TruncatedRate:P0} (slow body {options.SlowBodyRate:P0} in mix-slow-body); account timeout {options.TimeoutSeconds} s; retry budget {options.RetryBudget} + reserve {options.RetryReserve}"));
        Console.WriteLine($"{"scenario",-14} {"accounts",8} {"success",9} {"failed",7} {"lost",5} {"calls/req",10} {"p50 ms",8} {"p99 ms",8}  errors");

        var results = new List<Dictionary<string, object?>>();
        foreach (var accounts in options.AccountCounts)
        {
            foreach (var scenario in options.Scenarios)
            {
                var result = await RunScenarioAsync(options, scenario, accounts);
                results.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{scenario,-14} {accounts,8} {(double)result["success_rate"]!,9:P2} {result["failed"],7} {result["lost"],5} {(double)result["upstream_calls_per_request"]!,10:0.000} {(double)result["p50_ms"]!,8:0} {(double)result["p99_ms"]!,8:0}  {JsonSerializer.Serialize(result["errors"])}"));
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["scenario"] = "faults",
            ["requests_per_scenario"] = options.Requests,
            ["rate_per_second"] = options.RatePerSecond,
            ["retry_budget"] = options.RetryBudget,
            ["retry_reserve"] = options.RetryReserve,
            ["results"] = results,
        }));
        return 0;
    }

    private static async Task<Dictionary<string, object?>> RunScenarioAsync(FaultsBenchmarkOptions options, string scenario, int accounts)
    {
        var mix = new FaultOptions
        {
            ServerErrorRate = options.ServerErrorRate,
            TimeoutRate = options.HangRate,
            ResetRate = options.ResetRate,
            TruncatedRate = options.TruncatedRate,
            SlowBodyRate = scenario == "mix-slow-body" ? options.SlowBodyRate : 0,
            HangMs = 600_000,
        };
        var down = new FaultOptions { ServerErrorRate = 1 };
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Seed = 17 + accounts,
            Keys = [.. Enumerable.Range(1, accounts).Select(i => new SimulatedKey
            {
                Key = $"bench-faults-{i}",
                RequestsPerMinute = 100_000,
                ImagesPerMinute = 100_000,
                Faults = scenario == "all-down" || (scenario == "one-down" && i == 1) ? down : mix,
            })],
            Latency = new LatencyOptions { Distribution = "lognormal", MedianMs = options.UpstreamLatencyMs, Sigma = 0.25, MaxMs = options.UpstreamLatencyMs * 4 },
        });
        await using var gateway = await InProcessGateway.StartAsync(Settings(options, accounts, new Uri(simulator.BaseAddress, "v1/")));

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = TimeSpan.FromSeconds(options.DeadlineSeconds + (options.TimeoutSeconds * 4) + 30),
        };
        var outcomes = new ConcurrentBag<(int Status, string? Code, double Ms)>();
        var clock = Stopwatch.StartNew();
        var sends = new List<Task>(options.Requests);
        for (var i = 0; i < options.Requests; i++)
        {
            var ahead = TimeSpan.FromSeconds(i / options.RatePerSecond) - clock.Elapsed;
            if (ahead > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(ahead);
            }

            sends.Add(GenerationProbe.SendAsync(http, gateway.Address, ClientKey, $"faults benchmark {scenario} {i} {Guid.NewGuid():N}", outcomes));
        }

        await Task.WhenAll(sends);
        var total = simulator.Stats.Total.Snapshot();
        var all = outcomes.ToList();
        var latencies = all.Select(o => o.Ms).Order().ToList();
        var success = all.Count(o => o.Status == 200);
        var lost = all.Count(o => o.Status == -1);
        return new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["accounts"] = accounts,
            ["requests"] = options.Requests,
            ["success"] = success,
            ["success_rate"] = Math.Round((double)success / options.Requests, 5),
            ["failed"] = options.Requests - success - lost,
            ["lost"] = lost,
            ["upstream_calls"] = total.Requests,
            ["upstream_calls_per_request"] = Math.Round((double)total.Requests / options.Requests, 4),
            ["injected"] = new Dictionary<string, long>
            {
                ["server_error"] = total.FaultsServerError,
                ["hang"] = total.FaultsTimeout,
                ["reset"] = total.FaultsReset,
                ["truncated"] = total.FaultsTruncated,
                ["slow_body"] = total.FaultsSlowBody,
            },
            ["p50_ms"] = Math.Round(Percentile(latencies, 50), 1),
            ["p99_ms"] = Math.Round(Percentile(latencies, 99), 1),
            ["errors"] = all.Where(o => o.Status != 200).GroupBy(o => $"{o.Status} {o.Code}").ToDictionary(g => g.Key, g => g.Count()),
        };
    }

    private static Dictionary<string, string?> Settings(FaultsBenchmarkOptions options, int accounts, Uri simulatorApi)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ImageOrleans:Simulator:Embedded"] = "false",
            ["ImageOrleans:Cache:Enabled"] = "false",
            ["ImageOrleans:Dispatch:DefaultDeadline"] = TimeSpan.FromSeconds(options.DeadlineSeconds).ToString("c", CultureInfo.InvariantCulture),
            ["ImageOrleans:Dispatch:RetryBudget"] = options.RetryBudget.ToString(CultureInfo.InvariantCulture),
            ["ImageOrleans:Dispatch:RetryReserve"] = options.RetryReserve.ToString(CultureInfo.InvariantCulture),
            ["ImageOrleans:ClientKeys:tenant-0:Key"] = ClientKey,
            ["ImageOrleans:ClientKeys:tenant-0:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tenant-0:ImagesPerMinute"] = "0",

            // Every fault is logged as a warning; the table is what this run is for.
            ["Logging:LogLevel:ImageOrleans.Grains.Dispatch"] = "Error",
        };
        for (var i = 1; i <= accounts; i++)
        {
            var prefix = $"ImageOrleans:Accounts:bench-{i}:";
            settings[prefix + "Kind"] = "Compatible";
            settings[prefix + "BaseUrl"] = simulatorApi.ToString();
            settings[prefix + "ApiKey"] = $"bench-faults-{i}";
            settings[prefix + "Models:0"] = "gpt-image-1";
            settings[prefix + "RequestsPerMinute"] = "100000";
            settings[prefix + "ImagesPerMinute"] = "100000";
            settings[prefix + "MaxConcurrency"] = "256";
            settings[prefix + "Timeout"] = TimeSpan.FromSeconds(options.TimeoutSeconds).ToString("c", CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
