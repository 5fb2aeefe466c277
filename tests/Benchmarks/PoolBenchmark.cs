using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Simulator;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// Offers load at a multiple of the pool's capacity for a while and measures what the gateway makes
/// of it: utilisation, upstream 429s, lost requests, latency, queue waits by priority and fairness.
/// </summary>
public static class PoolBenchmark
{
    private const string KeyPrefix = "sk-bench-pool-tenant-key-";

    public static async Task<int> RunAsync(ArgReader args)
    {
        var options = PoolBenchmarkOptions.Read(args);
        args.EnsureAllUsed();

        await using var environment = await PoolEnvironment.StartAsync(options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pool: {options.Accounts} accounts ({Counting(options)}) x {(options.Heterogeneous ? "6 to 600 (heterogeneous)" : options.ImagesPerMinute)} images/min, {options.Overload}x overload for {options.Seconds} s, {options.Tenants} tenant(s), upstream latency {options.UpstreamLatencyMs} ms, true limit x{options.TrueLimitFactor}, {(options.Cluster ? $"{options.Silos} silo process(es) on Redis and PostgreSQL" : "one in-process silo")}"));

        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            Timeout = TimeSpan.FromMinutes(5),
        };

        // The accounts start with full buckets (a burst of 90 % of a minute's limit each); that burst
        // is offered at once so that the measured window sees the saturated steady state.
        var offeredPerSecond = options.Overload * options.CapacityImagesPerMinute / 60.0;
        var prefill = options.Prefill ? (int)Math.Ceiling(options.Profiles.Sum(p => Math.Floor(p.ImagesPerMinute * 0.9))) : 0;
        var total = prefill + (int)Math.Round(offeredPerSecond * options.Seconds);
        var outcomes = new ConcurrentBag<Outcome>();
        var clock = Stopwatch.StartNew();
        var samples = SampleUpstreamAsync(environment, options, clock);
        var perAccount = SamplePerAccountAsync(environment, options, clock);
        var mix = new Random(20261128);
        var requests = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(Math.Max(0, i - prefill) / offeredPerSecond);
            var ahead = due - clock.Elapsed;
            if (ahead > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(ahead);
            }

            var tenant = i % options.Tenants;
            var priority = Pick(options.PriorityMix, mix.NextDouble());
            var gateway = environment.Gateways[i % environment.Gateways.Count];
            requests.Add(SendAsync(http, gateway, i, tenant, priority, clock, outcomes));
        }

        // Everything accepted must end: the backlog needs about as long again as the overload lasted,
        // and the slowest account's calls up to four times its median latency; the rest is lost.
        var drained = Task.WhenAll(requests);
        var slowest = options.Profiles.Max(p => p.LatencyMs);
        await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(150) + TimeSpan.FromMilliseconds(4 * slowest)));
        var upstream = await samples;

        var report = PoolReport.Build(options, offeredPerSecond, total, prefill, [.. outcomes], upstream, await environment.MostRateLimitedPerKeyAsync());
        if (options.Heterogeneous)
        {
            report.AddShares(options, await perAccount);
        }

        report.Print();
        return 0;
    }

    private static string Counting(PoolBenchmarkOptions options) => options.RateLimit switch
    {
        RateLimitMode.FixedWindow => $"upstream counts {options.WindowSeconds} s fixed windows",
        RateLimitMode.SlidingWindow => $"upstream counts a sliding {options.WindowSeconds} s window",
        _ => "upstream counts a token bucket",
    };

    private static RequestPriority Pick(IReadOnlyList<(RequestPriority Priority, double Share)> mix, double draw)
    {
        foreach (var (priority, share) in mix)
        {
            if (draw < share)
            {
                return priority;
            }

            draw -= share;
        }

        return mix[^1].Priority;
    }

    private static async Task SendAsync(HttpClient http, Uri gateway, int index, int tenant, RequestPriority priority, Stopwatch clock, ConcurrentBag<Outcome> outcomes)
    {
        var started = clock.Elapsed;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "v1/images/generations"))
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { model = "gpt-image-1", prompt = $"pool benchmark {index}: a lighthouse, variation {Guid.NewGuid():N}", quality = "low" }),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KeyPrefix + tenant.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("x-imageorleans-priority", priority.ToString().ToLowerInvariant());
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            string? code = null;
            if (!response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(body);
                code = json.RootElement.GetProperty("error").GetProperty("code").GetString();
            }

            var queueMs = response.Headers.TryGetValues("x-imageorleans-queue-ms", out var values)
                ? double.Parse(values.Single(), CultureInfo.InvariantCulture)
                : 0;
            outcomes.Add(new Outcome(tenant, priority, started, clock.Elapsed, (int)response.StatusCode, code, queueMs));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            outcomes.Add(new Outcome(tenant, priority, started, clock.Elapsed, -1, ex.GetType().Name, 0));
        }
    }

    /// <summary>What each account served between the end of warm-up and the end of the offered load.</summary>
    private static async Task<IReadOnlyList<long>> SamplePerAccountAsync(PoolEnvironment environment, PoolBenchmarkOptions options, Stopwatch clock)
    {
        await Task.Delay(Max(TimeSpan.FromSeconds(options.WarmupSeconds) - clock.Elapsed, TimeSpan.Zero));
        var atWarmup = await environment.PerSimulatorAsync();
        await Task.Delay(Max(TimeSpan.FromSeconds(options.Seconds) - clock.Elapsed, TimeSpan.Zero));
        var atEnd = await environment.PerSimulatorAsync();
        return [.. atEnd.Zip(atWarmup, (end, start) => end.Served - start.Served)];
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The simulator's counters at the end of warm-up, every ten seconds, and when the offered load stops.</summary>
    private static async Task<UpstreamSamples> SampleUpstreamAsync(PoolEnvironment environment, PoolBenchmarkOptions options, Stopwatch clock)
    {
        var timeline = new List<(int Second, long Served, long RateLimited)>();
        (long Served, long RateLimited) atWarmup = default;
        for (var second = 0; second <= options.Seconds; second++)
        {
            var ahead = TimeSpan.FromSeconds(second) - clock.Elapsed;
            if (ahead > TimeSpan.Zero)
            {
                await Task.Delay(ahead);
            }

            if (second == options.WarmupSeconds || second % 10 == 0 || second == 5 || second == options.Seconds)
            {
                var stats = await environment.UpstreamCountersAsync();
                timeline.Add((second, stats.Served, stats.RateLimited));
                if (second == options.WarmupSeconds)
                {
                    atWarmup = stats;
                }
            }
        }

        var atEnd = timeline[^1];
        return new UpstreamSamples(atWarmup.Served, atEnd.Served, atEnd.RateLimited, timeline, await environment.UpstreamCountersAsync());
    }
}
