using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageOrleans.Cluster.Tests.Infrastructure;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;

namespace ImageOrleans.Cluster.Tests;

/// <summary>A batch whose silo is killed (SIGKILL) finishes on the survivor, each custom_id generated and charged once.</summary>
[Collection(ServersTests.Name)]
public sealed class BatchFailoverTests(ServersFixture servers)
{
    private const int Items = 200;
    private const int DistinctPrompts = 180;
    private const int InFlight = 32;

    [Fact]
    public async Task A_batch_survives_the_kill_of_its_silo_and_generates_and_charges_each_item_once()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "bf-1", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
                new SimulatedKey { Key = "bf-2", RequestsPerMinute = 6000, ImagesPerMinute = 6000 },
            ],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 100 },
        });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
        {
            ProcessCluster.Account(settings, simulator, "b1", "bf-1", perMinute: 6000, concurrency: 16);
            ProcessCluster.Account(settings, simulator, "b2", "bf-2", perMinute: 6000, concurrency: 16);
            settings["ImageOrleans:Batches:ResumeInterval"] = "00:00:02";
            settings["ImageOrleans:Batches:ChunkSize"] = "10";
            settings["ImageOrleans:Batches:MaxInFlight"] = InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Logging:LogLevel:ImageOrleans.Grains.Batches"] = "Debug";
        });
        await cluster.StartAsync(2);

        // The key's spend is written behind every few seconds, as the README says, so a crash may lose
        // the last seconds of a key grain's spend: the batch runs on the silo that does not hold it.
        using (var warm = await cluster.GenerateAsync(0, "warm the client key"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var keySilo = await SiloOfAsync(cluster, "tests");
        var victim = cluster.Silos.Single(s => s.SiloPort != keySilo);
        var survivor = cluster.Silos.Single(s => s.SiloPort == keySilo);
        var served = simulator.Stats.Total.Snapshot().Served;
        var spentBefore = (await cluster.ClientKeyAsync(survivor.Index)).GetProperty("spend").GetProperty("today_usd").GetDecimal();

        var tag = Guid.NewGuid().ToString("N")[..8];
        var input = new StringBuilder();
        for (var i = 0; i < Items; i++)
        {
            input.Append(JsonSerializer.Serialize(new
            {
                custom_id = $"sku-{i:D3}",
                method = "POST",
                url = "/v1/images/generations",
                body = new { model = "gpt-image-1", prompt = $"product {tag} {i % DistinctPrompts}", quality = "low", size = "1024x1024" },
            })).Append('\n');
        }

        var fileId = (await UploadAsync(cluster, victim, input.ToString())).GetProperty("id").GetString()!;
        var created = await SendAsync(cluster, victim, HttpMethod.Post, "v1/batches",
            JsonContent.Create(new { input_file_id = fileId, endpoint = "/v1/images/generations", completion_window = "24h" }));
        var batchId = created.GetProperty("id").GetString()!;

        // Killed (SIGKILL) at about half way.
        try
        {
            await Wait.UntilAsync(async () => Done(await SendAsync(cluster, survivor, HttpMethod.Get, $"v1/batches/{batchId}")) >= Items / 2,
                TimeSpan.FromSeconds(150), "half of the batch to be done");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} (upstream served {simulator.Stats.Total.Snapshot().Served - served})\n{SiloProcess.Tail(victim.LogFile, 80)}\n{SiloProcess.Tail(survivor.LogFile, 40)}", ex);
        }

        Assert.Contains($"Batch {batchId} started", SiloProcess.Tail(victim.LogFile, int.MaxValue), StringComparison.Ordinal);
        var atKill = Done(await SendAsync(cluster, survivor, HttpMethod.Get, $"v1/batches/{batchId}"));
        await victim.KillAsync();

        // Until the cluster declares the silo dead, a read may be 503 node_unavailable: read again, as a client would.
        JsonElement batch = default;
        try
        {
            await Wait.UntilAsync(async () =>
            {
                batch = await TryGetAsync(cluster, survivor, $"v1/batches/{batchId}") ?? default;
                return batch.ValueKind == JsonValueKind.Object && batch.GetProperty("status").GetString() == "completed";
            }, TimeSpan.FromSeconds(180), "the batch to complete on the survivor");
        }
        catch (Exception ex) when (ex is TimeoutException or HttpRequestException)
        {
            throw new InvalidOperationException($"{ex.Message} (survivor exited: {survivor.HasExited})\n{SiloProcess.Tail(survivor.LogFile, 120)}", ex);
        }
        Assert.InRange(atKill, Items / 2, Items - 1);
        Assert.Contains($"Batch {batchId} resumes here", SiloProcess.Tail(survivor.LogFile, int.MaxValue), StringComparison.Ordinal);
        

        var counts = batch.GetProperty("request_counts");
        Assert.Equal((Items, Items, 0), (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32()));

        // Every item was generated once or answered by the cache: 200 - cache hits generations delivered.
        // (20 items repeat an earlier prompt; a cache entry the killed silo had not written yet is gone,
        // so a repeat after the kill may be generated again, as its own first generation.) The upstream
        // may have made a few more: answers on their way back to the killed silo when it died, which
        // nobody received and nobody was charged for; at most one per item that was in flight there.
        var delivered = Items - batch.GetProperty("imageorleans").GetProperty("cache_hits").GetInt32();
        var upstream = simulator.Stats.Total.Snapshot().Served - served;
        // A first generation made for the killed silo's runner may answer its own resumed item from the cache.
        Assert.InRange(delivered, DistinctPrompts - InFlight, Items);
        Assert.InRange(upstream, delivered, delivered + InFlight);

        // The output has every custom_id exactly once.
        var output = await ContentAsync(cluster, survivor, batch.GetProperty("output_file_id").GetString()!);
        var ids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()).ToList();
        Assert.Equal(Items, ids.Count);
        Assert.Equal(Items, ids.Distinct().Count());

        // Charged once per generation: every generation delivered is paid, and nothing is paid that the upstream
        // did not make (the warm-up's one besides). A generation that completed on a surviving dispatcher for the
        // killed silo's batch runner is paid by its key even when the resumed item is then answered from the
        // cache; one whose dispatcher died with the silo was made upstream and paid by nobody.
        var usage = default(JsonElement);
        await Wait.UntilAsync(async () =>
        {
            usage = (await SendAsync(cluster, survivor, HttpMethod.Get, "v1/usage")).GetProperty("totals");
            return usage.GetProperty("generated").GetInt64() >= delivered + 1;
        }, TimeSpan.FromSeconds(30), "the usage ledger to record the batch's generations");
        Assert.InRange(usage.GetProperty("generated").GetInt64() - 1, delivered, upstream);
        var spent = (await cluster.ClientKeyAsync(survivor.Index)).GetProperty("spend").GetProperty("today_usd").GetDecimal();
        Assert.Equal(usage.GetProperty("spend_usd").GetDecimal(), spent);
        Assert.True(spent > spentBefore * delivered * 0.9m, $"spent {spent} for {delivered} generations after {spentBefore} for one");
    }

    private static int Done(JsonElement batch)
    {
        var counts = batch.GetProperty("request_counts");
        return counts.GetProperty("completed").GetInt32() + counts.GetProperty("failed").GetInt32();
    }

    /// <summary>The silo port of the silo that holds the client key grain <paramref name="keyId"/>.</summary>
    private static async Task<int> SiloOfAsync(ProcessCluster cluster, string keyId)
    {
        await using var client = GatewayClient.Start(cluster.Id, cluster.Silos[0].GatewayPort, ProcessCluster.Certificate, ProcessCluster.Certificate);
        await client.ConnectedAsync(TimeSpan.FromSeconds(60));
        var grains = await client.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return grains.Single(g => g.GrainId.Type.ToString()!.Contains("clientkey", StringComparison.OrdinalIgnoreCase)
                                  && !g.GrainId.Type.ToString()!.Contains("registry", StringComparison.OrdinalIgnoreCase)
                                  && g.GrainId.Key.ToString() == keyId).SiloAddress.Endpoint.Port;
    }

    private static async Task<JsonElement> UploadAsync(ProcessCluster cluster, SiloProcess silo, string jsonl)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl)), "file", "catalogue.jsonl" },
        };
        return await SendAsync(cluster, silo, HttpMethod.Post, "v1/files", form);
    }

    private static async Task<JsonElement> SendAsync(ProcessCluster cluster, SiloProcess silo, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(silo.BaseAddress, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProcessCluster.ClientKey);
        using var response = await cluster.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement?> TryGetAsync(ProcessCluster cluster, SiloProcess silo, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo.BaseAddress, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProcessCluster.ClientKey);
        using var response = await cluster.Http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<string> ContentAsync(ProcessCluster cluster, SiloProcess silo, string fileId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo.BaseAddress, $"v1/files/{fileId}/content"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProcessCluster.ClientKey);
        using var response = await cluster.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
