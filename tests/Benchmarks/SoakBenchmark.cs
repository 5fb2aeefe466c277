using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;
using Npgsql;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// A long run at a steady share of the pool's capacity with faults on, against silo processes on
/// Redis and PostgreSQL, one of them restarted (SIGTERM, drain, start again) at a fixed interval, the
/// way a rolling deployment does. Reports lost requests, upstream 429s, each silo process's memory
/// slope, and grain activations and storage rows over time.
/// </summary>
public static class SoakBenchmark
{
    private const string ClientKey = "sk-bench-soak-tenant-key-0";
    private const string AdminKey = "sk-bench-soak-admin-0123456789abcdef";

    public static async Task<int> RunAsync(ArgReader args)
    {
        var options = SoakBenchmarkOptions.Read(args);
        args.EnsureAllUsed();
        Console.WriteLine(options);

        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "io-bench-soak-" + Guid.NewGuid().ToString("N"))).FullName;
        await using var redis = await RedisServer.StartAsync(root);
        await using var postgres = await PostgresServer.StartAsync(root);
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [.. Enumerable.Range(1, options.Accounts).Select(i => new SimulatedKey
            {
                Key = $"bench-soak-{i}",
                RequestsPerMinute = options.ImagesPerMinute,
                ImagesPerMinute = options.ImagesPerMinute,
            })],
            Faults = new FaultOptions
            {
                ServerErrorRate = options.ServerErrorRate,
                TimeoutRate = options.HangRate,
                ResetRate = options.ResetRate,
                TruncatedRate = options.TruncatedRate,
            },
            Latency = new LatencyOptions { Distribution = "lognormal", MedianMs = options.UpstreamLatencyMs, Sigma = 0.25, MaxMs = options.UpstreamLatencyMs * 4 },
        });

        using var certificate = TestCertificates.CreateSelfSigned("imageorleans-soak");
        var settings = Settings(options, root, redis, postgres, new Uri(simulator.BaseAddress, "v1/"), certificate);
        var logs = Path.Combine(root, "logs");
        var silos = new SiloProcess?[options.Silos];
        for (var i = 0; i < options.Silos; i++)
        {
            silos[i] = await SiloProcess.StartAsync(i, settings, logs);
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = TimeSpan.FromMinutes(5),
        };
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromMinutes(options.Minutes);
        var outcomes = new ConcurrentBag<(int Status, string? Code, double Ms)>();
        var samples = new ConcurrentQueue<Sample>();
        using var stop = new CancellationTokenSource();
        var sampling = SampleAsync(options, silos, postgres, http, clock, samples, stop.Token);
        var restarts = RestartAsync(options, silos, settings, logs, clock, duration);

        var rate = options.CapacityPerSecond * options.Load;
        var sends = new List<Task>();
        var next = 0;
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var ahead = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
            if (ahead > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(ahead);
            }

            // Like a Kubernetes Service: only silos that are up get new requests.
            SiloProcess? target = null;
            for (var tries = 0; tries < silos.Length && target is null; tries++)
            {
                target = silos[next++ % silos.Length];
            }

            if (target is not null)
            {
                sends.Add(GenerationProbe.SendAsync(http, target.BaseAddress, ClientKey, $"soak {i} {Guid.NewGuid():N}", outcomes));
            }
        }

        var restartCount = await restarts;
        await Task.WhenAll(sends);
        await stop.CancelAsync();
        await sampling;
        var total = simulator.Stats.Total.Snapshot();
        foreach (var silo in silos)
        {
            if (silo is not null)
            {
                await silo.StopAsync(TimeSpan.FromSeconds(60));
                await silo.DisposeAsync();
            }
        }

        Report(options, outcomes.ToList(), [.. samples], total, restartCount);
        return 0;
    }

    private static Dictionary<string, string?> Settings(SoakBenchmarkOptions options, string root, RedisServer redis, PostgresServer postgres, Uri simulatorApi, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var id = "soak-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["ImageOrleans:Cluster:Mode"] = "Redis",
            ["ImageOrleans:Cluster:ClusterId"] = id,
            ["ImageOrleans:Cluster:ServiceId"] = id,
            ["ImageOrleans:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["ImageOrleans:Cluster:Redis:ConnectionString"] = redis.ConnectionString,
            ["ImageOrleans:Cluster:PostgreSql:ConnectionString"] = postgres.ConnectionString,
            ["ImageOrleans:Images:SigningKey"] = "benchmark-signing-key-0123456789abcdef",
            ["ImageOrleans:Secrets:Keys:bench"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["ImageOrleans:Secrets:ActiveKeyId"] = "bench",
            ["ImageOrleans:DataPath"] = Path.Combine(root, "data"),
            ["ImageOrleans:FrontDoor:Dashboard"] = "false",
            ["ImageOrleans:Admin:Key"] = AdminKey,
            ["ImageOrleans:Simulator:Embedded"] = "false",
            ["ImageOrleans:Cache:Enabled"] = "false",
            ["ImageOrleans:Dispatch:DrainTimeout"] = "00:01:00",
            ["ImageOrleans:ClientKeys:tenant-0:Key"] = ClientKey,
            ["ImageOrleans:ClientKeys:tenant-0:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tenant-0:ImagesPerMinute"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        for (var i = 1; i <= options.Accounts; i++)
        {
            var prefix = $"ImageOrleans:Accounts:bench-{i}:";
            settings[prefix + "Kind"] = "Compatible";
            settings[prefix + "BaseUrl"] = simulatorApi.ToString();
            settings[prefix + "ApiKey"] = $"bench-soak-{i}";
            settings[prefix + "Models:0"] = "gpt-image-1";
            settings[prefix + "RequestsPerMinute"] = options.ImagesPerMinute.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "ImagesPerMinute"] = options.ImagesPerMinute.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "MaxConcurrency"] = "64";
            settings[prefix + "Timeout"] = TimeSpan.FromSeconds(options.TimeoutSeconds).ToString("c", CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in TestCertificates.SiloSettings(certificate, Path.Combine(root, "tls"), "silo"))
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Restarts one silo after another, each interval: out of the rotation, SIGTERM (it drains), a new process, back in.</summary>
    private static async Task<int> RestartAsync(SoakBenchmarkOptions options, SiloProcess?[] silos, Dictionary<string, string?> settings, string logs, Stopwatch clock, TimeSpan duration)
    {
        var every = TimeSpan.FromMinutes(options.RestartEveryMinutes);
        var restarts = 0;
        for (var due = every; due < duration; due += every)
        {
            await Task.Delay(Max(due - clock.Elapsed, TimeSpan.Zero));
            var index = restarts % silos.Length;
            var silo = silos[index]!;
            silos[index] = null;
            var stopped = clock.Elapsed;
            await silo.StopAsync(TimeSpan.FromMinutes(2));
            await silo.DisposeAsync();
            silos[index] = await SiloProcess.StartAsync(index, settings, logs);
            restarts++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalMinutes:0.0} min: silo {index} restarted ({(clock.Elapsed - stopped).TotalSeconds:0} s out of rotation)"));
        }

        return restarts;
    }

    private static async Task SampleAsync(SoakBenchmarkOptions options, SiloProcess?[] silos, PostgresServer postgres, HttpClient http, Stopwatch clock, ConcurrentQueue<Sample> samples, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var rss = new Dictionary<int, double>();
            var activations = 0L;
            foreach (var silo in silos.ToArray())
            {
                if (silo is null || silo.HasExited)
                {
                    continue;
                }

                if (ResidentMegabytes(silo.ProcessId) is { } mb)
                {
                    rss[silo.ProcessId] = mb;
                }

                activations += await ActivationsAsync(http, silo.BaseAddress);
            }

            samples.Enqueue(new Sample(clock.Elapsed.TotalMinutes, rss, activations, await StorageRowsAsync(postgres)));
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static double? ResidentMegabytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<long> ActivationsAsync(HttpClient http, Uri silo)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo, "metrics"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (long)text.Split('\n')
                .Where(l => l.StartsWith("orleans_catalog_activations", StringComparison.Ordinal) && !l.StartsWith("orleans_catalog_activations_", StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
        {
            return 0;
        }
    }

    private static async Task<long> StorageRowsAsync(PostgresServer postgres)
    {
        try
        {
            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("select count(*) from orleansstorage", connection);
            return (long)(await count.ExecuteScalarAsync())!;
        }
        catch (PostgresException)
        {
            return -1;
        }
    }

    private static void Report(SoakBenchmarkOptions options, List<(int Status, string? Code, double Ms)> outcomes, List<Sample> samples, CountersSnapshot upstream, int restarts)
    {
        var success = outcomes.Count(o => o.Status == 200);
        var lost = outcomes.Count(o => o.Status == -1);
        var latencies = outcomes.Where(o => o.Status == 200).Select(o => o.Ms).Order().ToList();

        // Memory slope of each silo process over its life, after its first minute (start-up and JIT).
        var slopes = samples.SelectMany(s => s.RssMegabytes.Select(r => (Pid: r.Key, s.Minute, Mb: r.Value)))
            .GroupBy(r => r.Pid)
            .Select(g =>
            {
                var points = g.OrderBy(p => p.Minute).ToList();
                var settled = points.Where(p => p.Minute >= points[0].Minute + 1).ToList();

                // Warm-up (tiered JIT, GC budgets) raises RSS early on and fades; growth that lasts shows in the second half too.
                var secondHalf = points.Where(p => p.Minute >= (points[0].Minute + points[^1].Minute) / 2).ToList();
                return (
                    Pid: g.Key,
                    Minutes: points[^1].Minute - points[0].Minute,
                    First: points[0].Mb,
                    Last: points[^1].Mb,
                    Slope: settled.Count >= 3 ? Slope(settled.Select(p => (p.Minute, p.Mb)).ToList()) : double.NaN,
                    LateSlope: secondHalf.Count >= 3 ? Slope(secondHalf.Select(p => (p.Minute, p.Mb)).ToList()) : double.NaN);
            })
            .ToList();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"requests {outcomes.Count}: success {success} ({(double)success / Math.Max(1, outcomes.Count):P3}), failed {outcomes.Count - success - lost}, lost {lost}; upstream calls {upstream.Requests} ({(double)upstream.Requests / Math.Max(1, outcomes.Count):0.000} per request), upstream 429 {upstream.RefusedRateLimit}; p50 {Percentile(latencies, 50):0} ms, p99 {Percentile(latencies, 99):0} ms; {restarts} restarts"));
        foreach (var s in slopes)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  silo process {s.Pid}: {s.Minutes:0.0} min, RSS {s.First:0} -> {s.Last:0} MB, slope {s.Slope:0.00} MB/min (second half {s.LateSlope:0.00} MB/min)"));
        }

        Console.WriteLine("  minute  activations  storage_rows  rss_total_mb");
        foreach (var sample in samples)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {sample.Minute,6:0.0}  {sample.Activations,11}  {sample.StorageRows,12}  {sample.RssMegabytes.Values.Sum(),12:0}"));
        }

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["scenario"] = "soak",
            ["minutes"] = options.Minutes,
            ["restart_every_minutes"] = options.RestartEveryMinutes,
            ["restarts"] = restarts,
            ["silos"] = options.Silos,
            ["offered_per_second"] = Math.Round(options.CapacityPerSecond * options.Load, 3),
            ["requests"] = outcomes.Count,
            ["success"] = success,
            ["failed"] = outcomes.Count - success - lost,
            ["lost"] = lost,
            ["errors"] = outcomes.Where(o => o.Status != 200).GroupBy(o => $"{o.Status} {o.Code}").ToDictionary(g => g.Key, g => g.Count()),
            ["upstream_calls"] = upstream.Requests,
            ["upstream_429"] = upstream.RefusedRateLimit,
            ["p99_ms"] = Math.Round(Percentile(latencies, 99), 1),
            ["rss_slope_mb_per_min"] = slopes.ToDictionary(s => s.Pid.ToString(CultureInfo.InvariantCulture), s => double.IsNaN(s.Slope) ? (double?)null : Math.Round(s.Slope, 3)),
            ["rss_slope_second_half_mb_per_min"] = slopes.ToDictionary(s => s.Pid.ToString(CultureInfo.InvariantCulture), s => double.IsNaN(s.LateSlope) ? (double?)null : Math.Round(s.LateSlope, 3)),
            ["activations"] = samples.Select(s => s.Activations).ToList(),
            ["storage_rows"] = samples.Select(s => s.StorageRows).ToList(),
        }));
    }

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope(List<(double X, double Y)> points)
    {
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var den = points.Sum(p => (p.X - mx) * (p.X - mx));
        return den == 0 ? double.NaN : points.Sum(p => (p.X - mx) * (p.Y - my)) / den;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed record Sample(double Minute, Dictionary<int, double> RssMegabytes, long Activations, long StorageRows);
}
