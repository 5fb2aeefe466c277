using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageOrleans.Simulator;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// The latency the gateway adds: the same requests sent straight to a zero-latency simulator and
/// through the gateway, interleaved at one concurrency, for cache misses and cache hits.
/// </summary>
public static class OverheadBenchmark
{
    private const string SimulatorKey = "bench-overhead-key";
    private const string ClientKey = "sk-bench-overhead-client-key-000000";

    public static async Task<int> RunAsync(ArgReader args)
    {
        var concurrency = args.Number("concurrency", 200);
        var requests = args.Number("requests", 4000);
        var hitConcurrency = args.Number("hit-concurrency", concurrency);
        var bypassCache = args.Text("miss-cache", "on") == "bypass";
        var upstreamLatencyMs = args.Real("upstream-latency-ms", 0);
        var telemetry = args.Text("telemetry", "on");
        if (telemetry is not ("on" or "off" or "traces"))
        {
            throw new ArgumentException("--telemetry takes on, off or traces.");
        }
        args.EnsureAllUsed();

        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = SimulatorKey, RequestsPerMinute = 10_000_000, ImagesPerMinute = 10_000_000 }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = upstreamLatencyMs },
        });
        var simulatorApi = new Uri(simulator.BaseAddress, "v1/");
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ImageOrleans:Simulator:Embedded"] = "false",
            ["ImageOrleans:ClientKeys:bench:Key"] = ClientKey,
            ["ImageOrleans:ClientKeys:bench:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:bench:ImagesPerMinute"] = "0",
            ["ImageOrleans:Accounts:bench-1:Kind"] = "Compatible",
            ["ImageOrleans:Accounts:bench-1:BaseUrl"] = simulatorApi.ToString(),
            ["ImageOrleans:Accounts:bench-1:ApiKey"] = SimulatorKey,
            ["ImageOrleans:Accounts:bench-1:Models:0"] = "gpt-image-1",
            ["ImageOrleans:Accounts:bench-1:RequestsPerMinute"] = "10000000",
            ["ImageOrleans:Accounts:bench-1:ImagesPerMinute"] = "10000000",
            ["ImageOrleans:Accounts:bench-1:MaxConcurrency"] = "100000",

            // on: metrics as shipped; traces: metrics and traces (no exporter); off: no OpenTelemetry.
            ["ImageOrleans:Telemetry:Enabled"] = telemetry == "off" ? "false" : "true",
            ["ImageOrleans:Telemetry:Traces"] = telemetry == "traces" ? "true" : "false",
        });

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };
        var direct = new Target(http, new Uri(simulatorApi, "images/generations"), SimulatorKey);
        var through = new Target(http, new Uri(gateway.Address, "v1/images/generations"), ClientKey, bypassCache);

        Console.WriteLine($"overhead: {requests} requests per path and phase, concurrency {concurrency} (hits: {hitConcurrency}), upstream latency {upstreamLatencyMs} ms, telemetry {telemetry}");
        await RunPhaseAsync(direct, through, Math.Min(requests, 500), concurrency, i => $"warm-up {i}", expectHit: false);

        var miss = await RunPhaseAsync(direct, through, requests, concurrency, i => $"miss {i} {Guid.NewGuid():N}", expectHit: false);

        const int HotPrompts = 256;
        await RunPhaseAsync(direct, through.WithCache(), HotPrompts, Math.Min(concurrency, HotPrompts), i => $"hot {i}", expectHit: false);
        var hit = await RunPhaseAsync(direct, through, requests, hitConcurrency, i => $"hot {i % HotPrompts}", expectHit: true);

        Console.WriteLine();
        Console.WriteLine("phase  path       p50 ms   p99 ms");
        Print("miss", miss);
        Print("hit", hit);

        var json = new Dictionary<string, object>
        {
            ["scenario"] = "overhead",
            ["concurrency"] = concurrency,
            ["hit_concurrency"] = hitConcurrency,
            ["requests"] = requests,
            ["upstream_latency_ms"] = upstreamLatencyMs,
            ["telemetry"] = telemetry,
            ["miss"] = Summary(miss),
            ["hit"] = Summary(hit),
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    private static async Task<Phase> RunPhaseAsync(
        Target direct, Target gateway, int requests, int concurrency, Func<int, string> prompt, bool expectHit)
    {
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var directLatencies = new LatencyRecorder();
        var gatewayLatencies = new LatencyRecorder();
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var text = prompt(i);

                // Alternate which path goes first so neither always meets a warmer server.
                if (i % 2 == 0)
                {
                    directLatencies.Add(await direct.SendAsync(text, expectHit: false));
                    gatewayLatencies.Add(await gateway.SendAsync(text, expectHit));
                }
                else
                {
                    gatewayLatencies.Add(await gateway.SendAsync(text, expectHit));
                    directLatencies.Add(await direct.SendAsync(text, expectHit: false));
                }
            }
        });
        await Task.WhenAll(workers);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new Phase(directLatencies, gatewayLatencies, cpu.TotalMilliseconds / requests, requests / wall.Elapsed.TotalSeconds);
    }

    private static void Print(string phase, Phase result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phase,-6} direct   {result.Direct.Percentile(50),8:0.000} {result.Direct.Percentile(99),8:0.000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phase,-6} gateway  {result.Gateway.Percentile(50),8:0.000} {result.Gateway.Percentile(99),8:0.000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{phase,-6} added    {result.Gateway.Percentile(50) - result.Direct.Percentile(50),8:0.000} {result.Gateway.Percentile(99) - result.Direct.Percentile(99),8:0.000}   ({result.CpuMsPerPair:0.000} ms CPU per direct+gateway pair, {result.PairsPerSecond:0} pairs/s)"));
    }

    private static Dictionary<string, double> Summary(Phase result) => new()
    {
        ["cpu_ms_per_pair"] = Math.Round(result.CpuMsPerPair, 3),
        ["pairs_per_second"] = Math.Round(result.PairsPerSecond, 1),
        ["direct_p50_ms"] = Math.Round(result.Direct.Percentile(50), 3),
        ["direct_p99_ms"] = Math.Round(result.Direct.Percentile(99), 3),
        ["gateway_p50_ms"] = Math.Round(result.Gateway.Percentile(50), 3),
        ["gateway_p99_ms"] = Math.Round(result.Gateway.Percentile(99), 3),
        ["added_p50_ms"] = Math.Round(result.Gateway.Percentile(50) - result.Direct.Percentile(50), 3),
        ["added_p99_ms"] = Math.Round(result.Gateway.Percentile(99) - result.Direct.Percentile(99), 3),
    };

    private sealed record Phase(LatencyRecorder Direct, LatencyRecorder Gateway, double CpuMsPerPair, double PairsPerSecond);

    private sealed class Target(HttpClient http, Uri url, string key, bool bypassCache = false)
    {
        /// <summary>The same target, but filling the cache even when misses are measured without it.</summary>
        public Target WithCache() => new(http, url, key);

        public async Task<TimeSpan> SendAsync(string prompt, bool expectHit)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(
                    JsonSerializer.Serialize(new { model = "gpt-image-1", prompt, quality = "low", size = "1024x1024" }),
                    Encoding.UTF8,
                    "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            if (bypassCache && !expectHit)
            {
                request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}; the benchmark needs every request to succeed.");
            }

            if (expectHit && response.Headers.TryGetValues("x-imageorleans-cache", out var cache) && cache.Single() != "hit")
            {
                throw new InvalidOperationException("A request meant to hit the cache missed it.");
            }

            return elapsed;
        }
    }
}
