using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageOrleans.Simulator;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// A batch against the pool's capacity: how close to the capacity a batch alone finishes (target ≥ 0.95),
/// and the queue wait of live requests (at a share of the capacity) without and with a batch running
/// (target: unchanged within noise, since batch items wait at low priority).
/// </summary>
public static class BatchBenchmark
{
    public static async Task<int> RunAsync(ArgReader args)
    {
        var items = args.Number("items", 2000);
        var options = new PoolBenchmarkOptions
        {
            Accounts = args.Number("accounts", 20),
            ImagesPerMinute = args.Number("images-per-min", 60),
            UpstreamLatencyMs = args.Real("upstream-latency-ms", 1000),
            Tenants = 2,
        };
        var liveShare = args.Real("live-share", 0.2);
        var liveSeconds = args.Number("live-seconds", 30);
        var inFlight = args.Number("in-flight", 256);
        var warmup = args.Number("warmup-items", (int)Math.Ceiling(options.CapacityImagesPerMinute));
        args.EnsureAllUsed();
        if (items < 1 || warmup < 0 || liveShare is <= 0 or >= 1 || liveSeconds < 1)
        {
            throw new ArgumentException("--items and --live-seconds must be positive, --live-share in (0, 1).");
        }

        var capacityPerSecond = options.CapacityImagesPerMinute / 60.0;
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [.. Enumerable.Range(1, options.Accounts).Select(i => new SimulatedKey { Key = $"bench-pool-{i}", RequestsPerMinute = options.ImagesPerMinute, ImagesPerMinute = options.ImagesPerMinute })],
            Latency = new LatencyOptions { Distribution = "lognormal", MedianMs = options.UpstreamLatencyMs, Sigma = 0.25, MaxMs = options.UpstreamLatencyMs * 4 },
        });
        var settings = PoolEnvironment.GatewaySettings(options, [.. Enumerable.Repeat(new Uri(simulator.BaseAddress, "v1/"), options.Accounts)]);
        settings["ImageOrleans:Batches:MaxInFlight"] = inFlight.ToString(CultureInfo.InvariantCulture);
        settings["ImageOrleans:Dispatch:DefaultDeadline"] = "00:10:00";
        await using var gateway = await InProcessGateway.StartAsync(settings);
        using var batchClient = Client(gateway.Address, "sk-bench-pool-tenant-key-0");
        using var liveClient = Client(gateway.Address, "sk-bench-pool-tenant-key-1");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pool: {options.Accounts} accounts x {options.ImagesPerMinute} images/min = {capacityPerSecond:0.##} images/s; upstream {options.UpstreamLatencyMs} ms; batch of {items}; live at {liveShare:P0} of capacity for {liveSeconds} s"));

        // The accounts' buckets start full; drain that burst so the batch is measured at the steady rate.
        if (warmup > 0)
        {
            await WaitAsync(await SubmitAsync(batchClient, warmup, "warm-up"));
        }

        var clock = Stopwatch.StartNew();
        await WaitAsync(await SubmitAsync(batchClient, items, "alone"));
        var alone = clock.Elapsed;
        var utilisation = items / alone.TotalSeconds / capacityPerSecond;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batch alone:        {items} items in {alone.TotalSeconds:0.0} s = {items / alone.TotalSeconds:0.##} images/s, {utilisation:0.000} of capacity (target >= 0.95)"));

        var baseline = await LiveAsync(liveClient, liveShare * capacityPerSecond, TimeSpan.FromSeconds(liveSeconds), "baseline");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"live, no batch:     {baseline.Count} requests, queue wait p50 {baseline.Percentile(50):0} ms, p99 {baseline.Percentile(99):0} ms"));

        var running = await SubmitAsync(batchClient, items, "beside-live");
        var during = await LiveAsync(liveClient, liveShare * capacityPerSecond, TimeSpan.FromSeconds(liveSeconds), "during");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"live, with a batch: {during.Count} requests, queue wait p50 {during.Percentile(50):0} ms, p99 {during.Percentile(99):0} ms (target: as without)"));
        await CancelAsync(running);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = "batch",
            items,
            capacity_images_per_second = capacityPerSecond,
            batch_seconds = alone.TotalSeconds,
            utilisation,
            live_queue_p50_ms_without_batch = baseline.Percentile(50),
            live_queue_p99_ms_without_batch = baseline.Percentile(99),
            live_queue_p50_ms_with_batch = during.Percentile(50),
            live_queue_p99_ms_with_batch = during.Percentile(99),
        }));
        return 0;
    }

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(15) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<(HttpClient Client, string Id)> SubmitAsync(HttpClient client, int items, string tag)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var jsonl = new StringBuilder();
        for (var i = 0; i < items; i++)
        {
            jsonl.Append(JsonSerializer.Serialize(new
            {
                custom_id = string.Create(CultureInfo.InvariantCulture, $"{tag}-{i}"),
                method = "POST",
                url = "/v1/images/generations",
                body = new { model = "gpt-image-1", prompt = string.Create(CultureInfo.InvariantCulture, $"batch benchmark {run} {i}"), quality = "low", size = "1024x1024" },
            })).Append('\n');
        }

        using var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl.ToString())), "file", "bench.jsonl" } };
        using var uploaded = await client.PostAsync("v1/files", form);
        uploaded.EnsureSuccessStatusCode();
        var fileId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var created = await client.PostAsJsonAsync("v1/batches", new { input_file_id = fileId, endpoint = "/v1/images/generations", completion_window = "24h" });
        created.EnsureSuccessStatusCode();
        return (client, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private static async Task WaitAsync((HttpClient Client, string Id) batch)
    {
        while (true)
        {
            var state = await batch.Client.GetFromJsonAsync<JsonElement>($"v1/batches/{batch.Id}");
            var status = state.GetProperty("status").GetString();
            if (status is "completed" or "failed" or "expired" or "cancelled")
            {
                var failed = state.GetProperty("request_counts").GetProperty("failed").GetInt32();
                if (status != "completed" || failed > 0)
                {
                    Console.WriteLine($"  batch {batch.Id} ended {status} with {failed} failed items");
                }

                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static async Task CancelAsync((HttpClient Client, string Id) batch)
    {
        using var response = await batch.Client.PostAsync($"v1/batches/{batch.Id}/cancel", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Live requests at a steady rate; the queue wait each reports in <c>x-imageorleans-queue-ms</c>.</summary>
    private static async Task<LatencyRecorder> LiveAsync(HttpClient client, double perSecond, TimeSpan duration, string tag)
    {
        var waits = new LatencyRecorder();
        var calls = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var prompt = string.Create(CultureInfo.InvariantCulture, $"live {tag} {Guid.NewGuid():N} {i}");
            calls.Add(Task.Run(async () =>
            {
                using var response = await client.PostAsJsonAsync("v1/images/generations", new { model = "gpt-image-1", prompt, quality = "low", size = "1024x1024" });
                var queueMs = response.Headers.TryGetValues("x-imageorleans-queue-ms", out var values) ? double.Parse(values.First(), CultureInfo.InvariantCulture) : 0;
                waits.Add(TimeSpan.FromMilliseconds(queueMs));
            }));
            var next = TimeSpan.FromSeconds((i + 1) / perSecond);
            if (next > clock.Elapsed)
            {
                await Task.Delay(next - clock.Elapsed);
            }
        }

        await Task.WhenAll(calls);
        return waits;
    }
}
