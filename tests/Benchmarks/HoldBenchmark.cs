using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// Holds many requests waiting at once on one silo process and lets them drain: the silo's resident
/// memory per waiting request, errors, and upstream 429s while the queue drains.
/// </summary>
public static class HoldBenchmark
{
    public static async Task<int> RunAsync(ArgReader args)
    {
        var requests = args.Number("requests", 15000);
        var accounts = args.Number("accounts", 10);
        var perMinute = args.Number("images-per-min", 600);
        var latencyMs = args.Real("upstream-latency-ms", 200);
        args.EnsureAllUsed();
        if (requests < 1 || accounts < 1 || perMinute < 1)
        {
            throw new ArgumentException("Requests, accounts and images per minute must be positive.");
        }

        var drainMinutes = requests / (double)(accounts * perMinute);
        var options = new PoolBenchmarkOptions
        {
            Accounts = accounts,
            ImagesPerMinute = perMinute,
            Tenants = 4,
            QueueDepth = requests + 100,
            UpstreamLatencyMs = latencyMs,
        };
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [.. Enumerable.Range(1, accounts).Select(i => new SimulatedKey { Key = $"bench-pool-{i}", RequestsPerMinute = perMinute, ImagesPerMinute = perMinute })],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = latencyMs },
        });
        var settings = PoolEnvironment.GatewaySettings(options, [.. Enumerable.Repeat(new Uri(simulator.BaseAddress, "v1/"), accounts)]);
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "io-bench-hold-" + Guid.NewGuid().ToString("N"))).FullName;
        settings["ImageOrleans:DataPath"] = Path.Combine(root, "data");
        settings["ImageOrleans:FrontDoor:Dashboard"] = "false";
        settings["ImageOrleans:Dispatch:DefaultDeadline"] = TimeSpan.FromMinutes(drainMinutes * 2 + 5).ToString("c", CultureInfo.InvariantCulture);
        settings["Logging:LogLevel:Default"] = "Warning";
        await using var silo = await SiloProcess.StartAsync(0, settings, Path.Combine(root, "logs"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hold: {requests} requests at once on one silo process (pid {silo.ProcessId}), {accounts} accounts x {perMinute} images/min drain them in about {drainMinutes:0.0} min"));

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // Warm up (JIT, grain activations, connections) before the baseline is read.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendAsync(http, silo.BaseAddress, -1 - i)));
        await Task.Delay(TimeSpan.FromSeconds(5));
        var baseline = RssBytes(silo.ProcessId);
        var servedBefore = (await UpstreamAsync(simulator)).Served;

        var clock = Stopwatch.StartNew();
        var completed = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var all = new List<Task>(requests);
        for (var i = 0; i < requests; i++)
        {
            all.Add(Track(SendAsync(http, silo.BaseAddress, i)));
        }

        async Task Track(Task<string> request)
        {
            var status = await request;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            Interlocked.Increment(ref completed);
        }

        // Sample the silo's memory while the requests wait and drain. The cost of a waiter is read while nearly all
        // of them still wait (at least 90 % of the most seen): the process's peak may come later, as the
        // answers go out, when few wait and the runtime has not yet handed memory back.
        var peak = baseline;
        var holding = baseline;
        var waitingAtHolding = 0;
        var mostWaiting = 0;
        var everything = Task.WhenAll(all);
        using var sampler = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var sampling = Stopwatch.StartNew();
        while (!everything.IsCompleted)
        {
            // Bounded: the requests' own deadlines end them well before this.
            if (sampling.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException("The held requests did not all end within 30 minutes.");
            }

            await Task.WhenAny(everything, sampler.WaitForNextTickAsync().AsTask());
            var rss = RssBytes(silo.ProcessId);
            var waiting = requests - Volatile.Read(ref completed);
            mostWaiting = Math.Max(mostWaiting, waiting);
            peak = Math.Max(peak, rss);
            if (waiting >= mostWaiting * 0.9 && rss > holding)
            {
                (holding, waitingAtHolding) = (rss, waiting);
            }
        }

        var upstream = await UpstreamAsync(simulator);
        var errors = statuses.Where(s => s.Key != "200").ToDictionary(s => s.Key, s => s.Value);
        var perWaiter = waitingAtHolding > 0 ? (holding - baseline) / (double)waitingAtHolding : 0;
        var json = new Dictionary<string, object?>
        {
            ["scenario"] = "hold",
            ["requests"] = requests,
            ["most_waiting"] = mostWaiting,
            ["rss_baseline_mb"] = Math.Round(baseline / 1048576.0, 1),
            ["rss_holding_mb"] = Math.Round(holding / 1048576.0, 1),
            ["waiting_at_holding"] = waitingAtHolding,
            ["rss_peak_mb"] = Math.Round(peak / 1048576.0, 1),
            ["rss_per_waiting_request_kb"] = Math.Round(perWaiter / 1024, 1),
            ["errors"] = errors,
            ["served_upstream"] = upstream.Served - servedBefore,
            ["upstream_429"] = upstream.RateLimited,
            ["drain_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"most waiting      {mostWaiting,10}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silo RSS          {baseline / 1048576.0,10:0.0} MB idle, {holding / 1048576.0:0.0} MB with {waitingAtHolding} waiting: {perWaiter / 1024:0.0} KB per waiting request; {peak / 1048576.0:0.0} MB peak"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"answers           {statuses.GetValueOrDefault("200"),10} ok, errors {(errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}")))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"upstream          {upstream.Served - servedBefore,10} served, {upstream.RateLimited} refused (429) while draining in {clock.Elapsed.TotalSeconds:0} s"));
        Console.WriteLine(JsonSerializer.Serialize(json));
        return errors.Count == 0 ? 0 : 1;
    }

    private static async Task<string> SendAsync(HttpClient http, Uri gateway, int index)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "v1/images/generations"))
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { model = "gpt-image-1", prompt = $"hold benchmark {index}: a lighthouse", quality = "low" }),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-bench-pool-tenant-key-" + (Math.Abs(index) % 4).ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                return "200";
            }

            using var json = JsonDocument.Parse(body);
            return $"{(int)response.StatusCode} {json.RootElement.GetProperty("error").GetProperty("code").GetString()}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return ex.GetType().Name;
        }
    }

    private static async Task<(long Served, long RateLimited)> UpstreamAsync(SimulatorServer simulator)
    {
        using var http = new HttpClient();
        await using var stream = await http.GetStreamAsync(new Uri(simulator.BaseAddress, "sim/stats"));
        using var json = await JsonDocument.ParseAsync(stream);
        var total = json.RootElement.GetProperty("total");
        return (total.GetProperty("served").GetInt64(), total.GetProperty("refused_rate_limit").GetInt64());
    }

    /// <summary>Resident set size of a process, from /proc (Linux).</summary>
    private static long RssBytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
