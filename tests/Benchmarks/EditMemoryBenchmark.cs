using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using ImageOrleans.Simulator;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// Peak managed memory while one large edit (by default 16 images of 20 MB) goes through the gateway to a
/// simulator: the uploads should stream to disk and back out as file parts, never be held whole. The
/// client, the gateway and the simulator share this process, so the figure bounds all three together.
/// </summary>
public static class EditMemoryBenchmark
{
    private const string SimulatorKey = "bench-edit-memory-key";
    private const string ClientKey = "sk-bench-edit-memory-client-00000000";

    public static async Task<int> RunAsync(ArgReader args)
    {
        var files = args.Number("files", 16);
        var megabytes = args.Number("megabytes", 20);
        args.EnsureAllUsed();

        var folder = Directory.CreateTempSubdirectory("io-bench-edit-");
        try
        {
            var paths = Enumerable.Range(0, files).Select(i => WritePng(folder.FullName, i, megabytes * 1024L * 1024)).ToList();
            await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
            {
                Keys = [new SimulatedKey { Key = SimulatorKey, RequestsPerMinute = 1000, ImagesPerMinute = 1000 }],
                Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 0 },
            });
            await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?>
            {
                ["ImageOrleans:Simulator:Embedded"] = "false",
                ["ImageOrleans:ClientKeys:bench:Key"] = ClientKey,
                ["ImageOrleans:Accounts:bench-1:Kind"] = "Compatible",
                ["ImageOrleans:Accounts:bench-1:BaseUrl"] = new Uri(simulator.BaseAddress, "v1/").ToString(),
                ["ImageOrleans:Accounts:bench-1:ApiKey"] = SimulatorKey,
                ["ImageOrleans:Accounts:bench-1:Models:0"] = "gpt-image-2.6-flare",
            });

            using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClientKey);

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var baseline = GC.GetTotalMemory(forceFullCollection: false);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var peak = baseline;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                // Sampled every 5 ms until the edit has its answer.
                using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                    await tick.WaitForNextTickAsync(CancellationToken.None);
                }
            });

            var clock = Stopwatch.StartNew();
            using var form = new MultipartFormDataContent
            {
                { new StringContent("gpt-image-2.6-flare"), "model" },
                { new StringContent("a large edit"), "prompt" },
            };
            foreach (var path in paths)
            {
                var part = new StreamContent(File.OpenRead(path), 64 * 1024);
                part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                form.Add(part, "image[]", Path.GetFileName(path));
            }

            using var response = await http.PostAsync("v1/images/edits", form);
            var elapsed = clock.Elapsed;
            await sampling.CancelAsync();
            await sampler;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var log = simulator.Edits.Received;
            var received = log.Count > 0 ? log[^1] : null;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"edit of {files} x {megabytes} MB: HTTP {(int)response.StatusCode} in {elapsed.TotalSeconds:0.0} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"upstream received {received?.Images.Count ?? 0} file parts, {received?.Images.Sum(p => p.Length) / (1024 * 1024) ?? 0} MB"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed heap: baseline {baseline / (1024.0 * 1024):0.0} MB, peak {peak / (1024.0 * 1024):0.0} MB (+{(peak - baseline) / (1024.0 * 1024):0.0} MB)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocated during the request: {allocated / (1024.0 * 1024):0.0} MB (client, gateway and simulator together)"));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A PNG signature and header followed by one large chunk of noise: sized like a photo, checked like one.</summary>
    private static string WritePng(string folder, int index, long size)
    {
        var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"input-{index}.png"));
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[16..], 4096);
        BinaryPrimitives.WriteInt32BigEndian(header[20..], 4096);
        header[24] = 8;
        header[25] = 2;
        file.Write(header);
        var chunk = new byte[1024 * 1024];
        var random = new Random(index);
        for (long written = header.Length; written < size; written += chunk.Length)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }

        return path;
    }
}
