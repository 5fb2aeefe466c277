using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Net.Client;
using ImageOrleans.Benchmarks.Floor;
using ImageOrleans.Silo.GrpcApi;
using ImageOrleans.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// The latency and CPU the gateway adds: the same requests sent straight to a zero-latency simulator, through
/// the engine's floor (<see cref="FloorServer"/>: ASP.NET Core + Orleans and nothing else) and through the
/// gateway (HTTP, and gRPC with <c>--protocol grpc|both</c>), interleaved in one run, for cache misses and hits:
/// closed loop at a fixed concurrency, then open loop at fixed rates, where each path runs alone in short
/// blocks taken in turn so its CPU per request can be told apart.
/// </summary>
public static class OverheadBenchmark
{
    public const string Model = "gpt-image-2.6-flare";
    private const string SimulatorKey = "bench-overhead-key";
    private const string ClientKey = "sk-bench-overhead-client-key-000000";
    private const int HotPrompts = 256;

    public static async Task<int> RunAsync(ArgReader args)
    {
        var concurrency = args.Number("concurrency", 200);
        var requests = args.Number("requests", 4000);
        var hitConcurrency = args.Number("hit-concurrency", concurrency);
        var bypassCache = args.Text("miss-cache", "on") == "bypass";
        var upstreamLatencyMs = args.Real("upstream-latency-ms", 0);
        var telemetry = args.Text("telemetry", "on");
        var protocol = args.Text("protocol", "http");
        var rates = (args.Text("rates", "200,1000") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToList();
        var seconds = args.Real("seconds", 12);
        var rounds = args.Number("rounds", 4);
        var mode = args.Text("mode", "both");
        var timeline = args.Text("timeline", "off");
        if (telemetry is not ("on" or "off" or "traces"))
        {
            throw new ArgumentException("--telemetry takes on, off or traces.");
        }

        if (protocol is not ("http" or "grpc" or "both") || mode is not ("closed" or "open" or "both") || timeline is not ("on" or "off"))
        {
            throw new ArgumentException("--protocol takes http, grpc or both; --mode closed, open or both; --timeline on or off.");
        }

        args.EnsureAllUsed();
        using var spans = timeline == "on" ? new SpanTimeline() : null;

        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = SimulatorKey, RequestsPerMinute = 10_000_000, ImagesPerMinute = 10_000_000 }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = upstreamLatencyMs },
        });
        var simulatorApi = new Uri(simulator.BaseAddress, "v1/");
        await using var floor = await FloorServer.StartAsync(new Uri(simulatorApi, "images/generations"), SimulatorKey);
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ImageOrleans:Simulator:Embedded"] = "false",
            ["ImageOrleans:ClientKeys:bench:Key"] = ClientKey,
            ["ImageOrleans:ClientKeys:bench:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:bench:ImagesPerMinute"] = "0",
            ["ImageOrleans:Accounts:bench-1:Kind"] = "Compatible",
            ["ImageOrleans:Accounts:bench-1:BaseUrl"] = simulatorApi.ToString(),
            ["ImageOrleans:Accounts:bench-1:ApiKey"] = SimulatorKey,
            ["ImageOrleans:Accounts:bench-1:Models:0"] = Model,
            ["ImageOrleans:Accounts:bench-1:RequestsPerMinute"] = "10000000",
            ["ImageOrleans:Accounts:bench-1:ImagesPerMinute"] = "10000000",
            ["ImageOrleans:Accounts:bench-1:MaxConcurrency"] = "100000",
            ["ImageOrleans:Dispatch:QueueDepth"] = "100000",

            // on: metrics as shipped; traces: metrics and traces (no exporter); off: no OpenTelemetry.
            ["ImageOrleans:Telemetry:Enabled"] = telemetry == "off" ? "false" : "true",
            ["ImageOrleans:Telemetry:Traces"] = telemetry == "traces" ? "true" : "false",
        });

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };
        using var channel = GrpcChannel.ForAddress(gateway.Services.GetRequiredService<GrpcFrontDoor>().Address!,
            new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan } });
        var direct = new HttpOverheadPath("direct", http, new Uri(simulatorApi, "images/generations"), SimulatorKey, caches: false);
        var floorPath = new HttpOverheadPath("floor", http, new Uri(floor.Address, "v1/images/generations"), "floor", caches: false);
        var gatewayHttp = new HttpOverheadPath("gateway", http, new Uri(gateway.Address, "v1/images/generations"), ClientKey, caches: true, bypassCache);
        var gatewayGrpc = new GrpcOverheadPath("grpc", channel, ClientKey, bypassCache);
        List<OverheadPath> gatewayPaths = protocol switch
        {
            "http" => [gatewayHttp],
            "grpc" => [gatewayGrpc],
            _ => [gatewayHttp, gatewayGrpc],
        };
        List<OverheadPath> missPaths = [direct, floorPath, .. gatewayPaths];
        List<OverheadPath> hitPaths = [direct, .. gatewayPaths];

        Console.WriteLine($"overhead: paths {string.Join(", ", missPaths.Select(p => p.Name))}; upstream latency {upstreamLatencyMs} ms, telemetry {telemetry}, {Environment.ProcessorCount} cores");

        // What the process burns with no request at all (silos' timers, the runtime): part of every CPU figure,
        // the same for every path, so the CPU added over direct leaves it out.
        var idleCpu = PathFigures.ProcessCpu();
        var idleWall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idleCpuMsPerSecond = (PathFigures.ProcessCpu() - idleCpu).TotalMilliseconds / idleWall.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle: the process uses {idleCpuMsPerSecond:0} ms of CPU a second with no request"));
        await ClosedLoopAsync(missPaths, Math.Min(requests, 500), Math.Min(concurrency, 100), i => $"warm-up {i}", expectHit: false);

        // The hot prompts are cached once; every hit phase reads them back.
        await ClosedLoopAsync([gatewayHttp.WithCache()], HotPrompts, Math.Min(concurrency, HotPrompts), i => $"hot {i}", expectHit: false);

        var json = new Dictionary<string, object>
        {
            ["scenario"] = "overhead",
            ["protocol"] = protocol,
            ["upstream_latency_ms"] = upstreamLatencyMs,
            ["telemetry"] = telemetry,
            ["cores"] = Environment.ProcessorCount,
            ["idle_cpu_ms_per_second"] = Math.Round(idleCpuMsPerSecond, 1),
        };
        if (mode is "closed" or "both")
        {
            Console.WriteLine();
            Console.WriteLine($"closed loop: {requests} requests per path, concurrency {concurrency} (hits {hitConcurrency}), paths interleaved per request");
            var miss = await ClosedLoopAsync(missPaths, requests, concurrency, i => $"miss {i} {Guid.NewGuid():N}", expectHit: false);
            var hit = await ClosedLoopAsync(hitPaths, requests, hitConcurrency, i => $"hot {i % HotPrompts}", expectHit: true);
            Print("miss", miss, showCpu: false);
            Print("hit", hit, showCpu: false);
            json["closed"] = new Dictionary<string, object>
            {
                ["concurrency"] = concurrency,
                ["hit_concurrency"] = hitConcurrency,
                ["requests"] = requests,
                ["miss"] = Summary(miss),
                ["hit"] = Summary(hit),
            };
        }

        if (mode is "open" or "both")
        {
            var open = new Dictionary<string, object>();
            foreach (var rate in rates)
            {
                Console.WriteLine();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"open loop at {rate:0}/s: {seconds:0.#} s per path and phase, in {rounds} blocks per path taken in turn"));
                spans?.Clear();
                var miss = await OpenLoopAsync(missPaths, rate, seconds, rounds, i => $"open miss {rate} {i} {Guid.NewGuid():N}", expectHit: false);
                spans?.Print(string.Create(CultureInfo.InvariantCulture, $"misses at {rate:0}/s"));
                var hit = await OpenLoopAsync(hitPaths, rate, seconds, rounds, i => $"hot {i % HotPrompts}", expectHit: true);
                Print("miss", miss, showCpu: true);
                Print("hit", hit, showCpu: true);
                open[rate.ToString(CultureInfo.InvariantCulture)] = new Dictionary<string, object> { ["miss"] = Summary(miss), ["hit"] = Summary(hit) };
            }

            json["open"] = open;
            json["open_seconds_per_path"] = seconds;
        }

        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    /// <summary>Workers send each request through every path, rotating which goes first so none always meets a warmer server.</summary>
    private static async Task<Dictionary<string, PathFigures>> ClosedLoopAsync(
        List<OverheadPath> paths, int requests, int concurrency, Func<int, string> prompt, bool expectHit)
    {
        var figures = paths.ToDictionary(p => p.Name, _ => new PathFigures());
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var text = prompt(i);
                for (var k = 0; k < paths.Count; k++)
                {
                    var path = paths[(i + k) % paths.Count];

                    // The gateway's two doors share one cache: a miss must be a miss on each.
                    var ask = expectHit || paths.Count(p => p.Caches) < 2 ? text : $"{text} [{path.Name}]";
                    figures[path.Name].Add(await path.SendAsync(ask, expectHit && path.Caches));
                }
            }
        });
        await Task.WhenAll(workers);
        return figures;
    }

    /// <summary>
    /// Open loop: requests start at their scheduled times whatever the answers do, one path at a time in
    /// blocks of <c>seconds / rounds</c>, the paths' blocks taken in turn so drift in the machine hits all alike.
    /// </summary>
    private static async Task<Dictionary<string, PathFigures>> OpenLoopAsync(
        List<OverheadPath> paths, double rate, double seconds, int rounds, Func<int, string> prompt, bool expectHit)
    {
        var figures = paths.ToDictionary(p => p.Name, _ => new PathFigures());
        var perBlock = Math.Max(1, (int)(rate * seconds / rounds));
        var sequence = 0;
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < paths.Count; k++)
            {
                var path = paths[(round + k) % paths.Count];
                var target = figures[path.Name];
                var cpu = PathFigures.ProcessCpu();
                var allocated = GC.GetTotalAllocatedBytes();
                var started = Stopwatch.GetTimestamp();
                var inFlight = new List<Task>(perBlock);

                // The load generator wakes every millisecond and sends what is due by then.
                using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
                var sent = 0;
                while (sent < perBlock)
                {
                    var due = Math.Min(perBlock, (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) + 1);
                    for (; sent < due; sent++)
                    {
                        var text = prompt(sequence++);
                        inFlight.Add(SendAsync(path, expectHit || paths.Count(p => p.Caches) < 2 ? text : $"{text} [{path.Name}]", expectHit && path.Caches, target));
                    }

                    if (sent < perBlock)
                    {
                        await tick.WaitForNextTickAsync();
                    }
                }

                await Task.WhenAll(inFlight);
                target.AddBlock(PathFigures.ProcessCpu() - cpu, Stopwatch.GetElapsedTime(started), GC.GetTotalAllocatedBytes() - allocated);
            }
        }

        return figures;
    }

    private static async Task SendAsync(OverheadPath path, string prompt, bool expectHit, PathFigures figures) =>
        figures.Add(await path.SendAsync(prompt, expectHit));

    private static void Print(string phase, Dictionary<string, PathFigures> figures, bool showCpu)
    {
        var direct = figures["direct"];
        var floor = figures.GetValueOrDefault("floor");
        Console.WriteLine(showCpu
            ? "phase  path       p50 ms   p99 ms  +direct p50/p99   +floor p50/p99   CPU µs/req (+direct)  KB/req (+direct)  sent/s  errors"
            : "phase  path       p50 ms   p99 ms  +direct p50/p99   +floor p50/p99   errors");
        foreach (var (name, f) in figures)
        {
            var p50 = f.Latencies.Percentile(50);
            var p99 = f.Latencies.Percentile(99);
            var overDirect = name == "direct" ? string.Empty : $"{p50 - direct.Latencies.Percentile(50),7:0.000} {p99 - direct.Latencies.Percentile(99),8:0.000}";
            var overFloor = floor is null || name is "direct" or "floor" ? string.Empty : $"{p50 - floor.Latencies.Percentile(50),7:0.000} {p99 - floor.Latencies.Percentile(99),8:0.000}";
            var cpu = showCpu ? string.Create(CultureInfo.InvariantCulture,
                $"{f.CpuMicrosPerRequest,11:0} ({f.CpuMicrosPerRequest - direct.CpuMicrosPerRequest,6:+0;-0;0}) {f.AllocatedKilobytesPerRequest,7:0.0} ({f.AllocatedKilobytesPerRequest - direct.AllocatedKilobytesPerRequest,6:+0.0;-0.0;0}) {f.AchievedRate,7:0}") : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{phase,-6} {name,-8} {p50,8:0.000} {p99,8:0.000}  {overDirect,-16}  {overFloor,-16} {cpu} {f.Errors,7}"));
        }
    }

    private static Dictionary<string, Dictionary<string, double>> Summary(Dictionary<string, PathFigures> figures)
    {
        var direct = figures["direct"].Latencies;
        var floor = figures.GetValueOrDefault("floor")?.Latencies;
        var result = new Dictionary<string, Dictionary<string, double>>();
        foreach (var (name, f) in figures)
        {
            var p50 = f.Latencies.Percentile(50);
            var p99 = f.Latencies.Percentile(99);
            var row = new Dictionary<string, double>
            {
                ["p50_ms"] = Math.Round(p50, 3),
                ["p99_ms"] = Math.Round(p99, 3),
                ["errors"] = f.Errors,
            };
            if (!double.IsNaN(f.CpuMicrosPerRequest))
            {
                row["cpu_us_per_request"] = Math.Round(f.CpuMicrosPerRequest, 1);
                row["added_cpu_us_per_request"] = Math.Round(f.CpuMicrosPerRequest - figures["direct"].CpuMicrosPerRequest, 1);
                row["allocated_kb_per_request"] = Math.Round(f.AllocatedKilobytesPerRequest, 1);
                row["added_allocated_kb_per_request"] = Math.Round(f.AllocatedKilobytesPerRequest - figures["direct"].AllocatedKilobytesPerRequest, 1);
                row["sent_per_second"] = Math.Round(f.AchievedRate, 1);
            }

            if (name != "direct")
            {
                row["added_p50_ms"] = Math.Round(p50 - direct.Percentile(50), 3);
                row["added_p99_ms"] = Math.Round(p99 - direct.Percentile(99), 3);
            }

            if (floor is not null && name is not ("direct" or "floor"))
            {
                row["over_floor_p50_ms"] = Math.Round(p50 - floor.Percentile(50), 3);
                row["over_floor_p99_ms"] = Math.Round(p99 - floor.Percentile(99), 3);
                row["p99_vs_floor"] = Math.Round(p99 / floor.Percentile(99), 2);
            }

            result[name] = row;
        }

        return result;
    }
}
