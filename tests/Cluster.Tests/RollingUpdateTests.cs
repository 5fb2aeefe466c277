using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Cluster.Tests.Infrastructure;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;
using Xunit.Abstractions;

namespace ImageOrleans.Cluster.Tests;

/// <summary>
/// A rolling update as Kubernetes runs one (k8s/base: maxSurge 1, maxUnavailable 0, preStop, SIGTERM),
/// played with processes: three silos on Redis, PostgreSQL and an S3 image store under steady load;
/// each in turn is replaced by a new silo, taken out of rotation and stopped with SIGTERM.
/// </summary>
[Collection(ServersTests.Name)]
public sealed class RollingUpdateTests(ServersFixture servers, ITestOutputHelper output)
{
    [Fact]
    public async Task Replacing_every_silo_one_by_one_under_load_loses_no_accepted_request_and_causes_no_upstream_429()
    {
        await using var s3 = await S3Server.StartAsync(servers.Root);
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "ru-1", RequestsPerMinute = 300, ImagesPerMinute = 300 },
                new SimulatedKey { Key = "ru-2", RequestsPerMinute = 300, ImagesPerMinute = 300 },
            ],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 300 },
        });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
        {
            ProcessCluster.Account(settings, simulator, "u1", "ru-1", perMinute: 300);
            ProcessCluster.Account(settings, simulator, "u2", "ru-2", perMinute: 300);

            // Images in object storage, as in k8s/: no silo has what another stored on its own disk.
            settings["ImageOrleans:Images:Store"] = "S3";
            settings["ImageOrleans:Images:S3:ServiceUrl"] = s3.ServiceUrl;
            settings["ImageOrleans:Images:S3:Bucket"] = "rolling-" + Guid.NewGuid().ToString("N")[..12];
            settings["ImageOrleans:Images:S3:AccessKey"] = S3Server.AccessKey;
            settings["ImageOrleans:Images:S3:SecretKey"] = S3Server.SecretKey;
            settings["ImageOrleans:Images:S3:ForcePathStyle"] = "true";
            settings["ImageOrleans:Images:S3:CreateBucket"] = "true";
        });
        await cluster.StartAsync(3);

        // The Service's endpoints: silos that are ready and not terminating. The load balancer spreads
        // requests over them; a request is accepted when a silo in rotation takes it.
        var rotation = new List<SiloProcess>(cluster.Silos);
        var sync = new Lock();
        var outcomes = new ConcurrentBag<Outcome>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var calls = new List<Task>();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                SiloProcess target;
                lock (sync)
                {
                    target = rotation[i % rotation.Count];
                }

                calls.Add(SendAsync(cluster, target, $"rolling update {i}", outcomes, () =>
                {
                    lock (sync)
                    {
                        return rotation[Random.Shared.Next(rotation.Count)];
                    }
                }));
                await Task.Delay(TimeSpan.FromMilliseconds(150), TimeProvider.System, CancellationToken.None);
            }

            await Task.WhenAll(calls);
        });

        var clock = Stopwatch.StartNew();
        foreach (var old in cluster.Silos.ToList())
        {
            // maxSurge 1: the new silo joins and is ready before the old one leaves.
            var replacement = await SiloProcess.StartAsync(cluster.Silos.Count, cluster.Settings, cluster.LogFolder);
            cluster.Silos.Add(replacement);
            lock (sync)
            {
                rotation.Add(replacement);
                rotation.Remove(old);
            }

            // Out of the endpoints, then SIGTERM at once (no preStop pause): requests it accepted a
            // moment ago are still in flight and must complete while it drains.
            await old.StopAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, old.ExitCode);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: silo {old.Index} replaced by silo {replacement.Index}");
        }

        // A little traffic on the new generation alone, then the load stops.
        var before = outcomes.Count;
        await Wait.UntilAsync(() => Task.FromResult(outcomes.Count >= before + 5), TimeSpan.FromSeconds(30), "the new silos serve on their own");
        await stop.CancelAsync();
        await load.WaitAsync(TimeSpan.FromSeconds(120));

        var all = outcomes.ToList();
        var lost = all.Where(o => o.Status != HttpStatusCode.OK).ToList();
        var stats = simulator.Stats.Snapshot().Total;
        output.WriteLine($"requests accepted: {all.Count}, served: {all.Count - lost.Count}, lost: {lost.Count}, upstream 429: {stats.RefusedRateLimit}, upstream served: {stats.Served}, refused by a stopping silo and sent again: {_refusedAndRetried}");
        Assert.True(lost.Count == 0, "lost: " + string.Join("; ", lost.Take(5).Select(o => $"silo {o.Silo}: {o.Status?.ToString() ?? o.Failure} {o.Failure}")));
        Assert.True(all.Count >= 50, $"only {all.Count} requests were sent during the update");
        Assert.Equal(0, stats.RefusedRateLimit);

        // Each accepted request was generated upstream exactly once, even when its silo stopped under it.
        Assert.Equal(all.Count, (int)stats.Served);

        // Links signed by silos that are gone open on every silo of the new generation.
        foreach (var (outcome, silo) in all.Where(o => o.Link is not null).Take(6).Select((o, i) => (o, cluster.Silos[3 + (i % 3)])))
        {
            var link = new UriBuilder(outcome.Link!) { Host = silo.BaseAddress.Host, Port = silo.BaseAddress.Port }.Uri;
            using var image = await cluster.Http.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>
    /// One client request. A silo that was already stopping when the request reached it refuses it with
    /// 503 <c>node_shutting_down</c> (or <c>node_unavailable</c>) and <c>Retry-After</c>, before anything is
    /// generated: it was not accepted, and the client does what the README tells clients to do, it sends
    /// it again (to whatever silo the load balancer now picks), at most three times.
    /// </summary>
    private static async Task SendAsync(ProcessCluster cluster, SiloProcess silo, string prompt, ConcurrentBag<Outcome> outcomes, Func<SiloProcess> pick)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(silo.BaseAddress, "v1/images/generations"))
            {
                Content = JsonContent.Create(new { model = "gpt-image-1", prompt, quality = "low", response_format = "url" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProcessCluster.ClientKey);
            try
            {
                using var response = await cluster.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 3 && IsRefusedByAStoppingSilo(body))
                {
                    Interlocked.Increment(ref _refusedAndRetried);
                    silo = pick();
                    continue;
                }

                var link = response.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("data")[0].GetProperty("url").GetString() : null;
                outcomes.Add(new Outcome(silo.Index, response.StatusCode, link is null ? body : null, link is null ? null : new Uri(link)));
                return;
            }
            catch (HttpRequestException ex)
            {
                outcomes.Add(new Outcome(silo.Index, null, ex.Message, null));
                return;
            }
        }
    }

    private static bool IsRefusedByAStoppingSilo(string body)
    {
        try
        {
            var code = JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString();
            return code is "node_shutting_down" or "node_unavailable";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int _refusedAndRetried;

    private sealed record Outcome(int Silo, HttpStatusCode? Status, string? Failure, Uri? Link);
}
