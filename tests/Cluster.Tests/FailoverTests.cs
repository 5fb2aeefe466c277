using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ImageOrleans.Cluster.Tests.Infrastructure;
using ImageOrleans.Simulator;

namespace ImageOrleans.Cluster.Tests;

/// <summary>Silos die and restart; accounts keep their health and limits, and clients are never left hanging.</summary>
[Collection(ServersTests.Name)]
public sealed class FailoverTests(ServersFixture servers)
{
    [Fact]
    public async Task A_silo_killed_under_load_loses_only_its_own_connections_and_the_limits_still_hold()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "fo-1", RequestsPerMinute = 60, ImagesPerMinute = 60 },
                new SimulatedKey { Key = "fo-2", RequestsPerMinute = 60, ImagesPerMinute = 60 },
            ],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 400 },
        });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
        {
            ProcessCluster.Account(settings, simulator, "f1", "fo-1", perMinute: 60);
            ProcessCluster.Account(settings, simulator, "f2", "fo-2", perMinute: 60);
        });
        await cluster.StartAsync(3);

        // Steady traffic to all three silos, well over the pool's capacity, for 25 seconds; the
        // third silo is killed (SIGKILL) eight seconds in.
        var clock = Stopwatch.StartNew();
        var killedAt = TimeSpan.FromSeconds(8);
        var outcomes = new ConcurrentBag<(int Silo, TimeSpan Sent, TimeSpan Ended, HttpStatusCode? Status, string? Failure)>();
        var traffic = Task.WhenAll(Enumerable.Range(0, 3).Select(silo => Task.Run(async () =>
        {
            var calls = new List<Task>();
            for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(25); i++)
            {
                var sent = clock.Elapsed;
                calls.Add(Task.Run(async () =>
                {
                    try
                    {
                        using var response = await cluster.GenerateAsync(silo, $"failover {silo}-{i}", timeoutMs: 5000);
                        var code = response.IsSuccessStatusCode ? null : JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString();
                        outcomes.Add((silo, sent, clock.Elapsed, response.StatusCode, code));
                    }
                    catch (HttpRequestException ex)
                    {
                        outcomes.Add((silo, sent, clock.Elapsed, null, ex.GetType().Name));
                    }
                }));
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                if (silo == 2 && clock.Elapsed >= killedAt)
                {
                    break;
                }
            }

            await Task.WhenAll(calls);
        })));

        await Task.Delay(killedAt - clock.Elapsed);
        await cluster.Silos[2].KillAsync();
        await traffic.WaitAsync(TimeSpan.FromSeconds(90));

        // Nothing hung: every call ended, with an answer or (on the killed silo) a lost connection.
        var all = outcomes.ToList();
        Assert.All(all, o => Assert.True(o.Ended - o.Sent < TimeSpan.FromSeconds(45), $"a call to silo {o.Silo} took {o.Ended - o.Sent}"));
        Assert.All(all.Where(o => o.Silo < 2), o => Assert.Contains(o.Status, (HttpStatusCode?[])[HttpStatusCode.OK, HttpStatusCode.GatewayTimeout]));
        Assert.All(all.Where(o => o.Status is null), o => Assert.Equal(2, o.Silo));

        // The survivors keep serving images after the kill, once the cluster has noticed it.
        Assert.Contains(all, o => o.Silo == 0 && o.Status == HttpStatusCode.OK && o.Sent > killedAt + TimeSpan.FromSeconds(5));
        Assert.Contains(all, o => o.Silo == 1 && o.Status == HttpStatusCode.OK && o.Sent > killedAt + TimeSpan.FromSeconds(5));

        // No burst above any account's limit, before or after the failover.
        Assert.Equal(0, simulator.Stats.Total.Snapshot().RefusedRateLimit);

        // The accounts answer from the survivors, with the health they had persisted.
        foreach (var id in (string[])["f1", "f2"])
        {
            var account = await cluster.AccountAsync(0, id);
            Assert.True(account.GetProperty("status").GetProperty("successes").GetInt64() > 0, $"{id} remembers its successes");
        }
    }

    [Fact]
    public async Task A_restarted_cluster_keeps_a_cooling_account_cool_and_its_counters()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            // The upstream's real limit is one a minute and it does not say so: the second call is a 429.
            AdvertiseLimits = false,
            Keys = [new SimulatedKey { Key = "rs-1", RequestsPerMinute = 1, ImagesPerMinute = 60 }],
        });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
            ProcessCluster.Account(settings, simulator, "r1", "rs-1", perMinute: 60));
        await cluster.StartAsync(2);

        using (var first = await cluster.GenerateAsync(0, "restart one"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var second = await cluster.GenerateAsync(1, "restart two", timeoutMs: 1000))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, second.StatusCode);
        }

        Assert.Equal(1, simulator.Stats.Total.Snapshot().RefusedRateLimit);
        var before = (await cluster.AccountAsync(0, "r1")).GetProperty("status");
        var cooldown = before.GetProperty("cooldown_until").GetDateTimeOffset();
        Assert.True(cooldown > DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30), "the 429 cooled the account for about a minute");
        var spentBefore = (await cluster.ClientKeyAsync(1)).GetProperty("spend");
        Assert.True(spentBefore.GetProperty("today_usd").GetDecimal() > 0m, "the one generated image was charged to the key");
        var accountSpend = before.GetProperty("spend_today_usd").GetDecimal();
        Assert.True(accountSpend > 0m, "and counted against the account");

        await cluster.StopAllAsync();
        await cluster.StartAsync(2);

        var after = (await cluster.AccountAsync(1, "r1")).GetProperty("status");
        Assert.Equal(cooldown, after.GetProperty("cooldown_until").GetDateTimeOffset());
        Assert.Equal(1, after.GetProperty("rate_limited").GetInt64());
        Assert.Equal(2, after.GetProperty("leases_granted").GetInt64());
        Assert.Equal(1, after.GetProperty("successes").GetInt64());
        Assert.Equal(accountSpend, after.GetProperty("spend_today_usd").GetDecimal());
        var spentAfter = (await cluster.ClientKeyAsync(0)).GetProperty("spend");
        Assert.Equal(spentBefore.GetProperty("today_usd").GetDecimal(), spentAfter.GetProperty("today_usd").GetDecimal());
        Assert.Equal(spentBefore.GetProperty("month_usd").GetDecimal(), spentAfter.GetProperty("month_usd").GetDecimal());

        // The restarted cluster does not hammer it: a request waits instead of calling upstream.
        using (var third = await cluster.GenerateAsync(0, "restart three", timeoutMs: 1000))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, third.StatusCode);
        }

        Assert.Equal(2, simulator.Stats.Total.Snapshot().Requests);
    }

    [Fact]
    public async Task An_idempotency_key_replays_the_first_answer_from_any_silo()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "id-1" }] });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
            ProcessCluster.Account(settings, simulator, "i1", "id-1", perMinute: 60));
        await cluster.StartAsync(2);
        var key = Guid.NewGuid().ToString();

        using var first = await cluster.GenerateAsync(0, "idempotent fox", idempotencyKey: key);
        using var retry = await cluster.GenerateAsync(1, "idempotent fox", idempotencyKey: key);
        using var misuse = await cluster.GenerateAsync(1, "a different request", idempotencyKey: key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("x-imageorleans-idempotent-replayed").Single());
        Assert.Equal(await Image(first), await Image(retry));
        Assert.Equal(1, simulator.Stats.Total.Snapshot().Served);

        Assert.Equal(HttpStatusCode.Conflict, misuse.StatusCode);
        var error = JsonDocument.Parse(await misuse.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("idempotency_key_reused", error.GetProperty("code").GetString());

        // The replay was not charged a second time: what it saved is exactly what the first cost.
        var spend = (await cluster.ClientKeyAsync(1)).GetProperty("spend");
        Assert.True(spend.GetProperty("today_usd").GetDecimal() > 0m);
        Assert.Equal(spend.GetProperty("today_usd").GetDecimal(), spend.GetProperty("saved_usd").GetDecimal());
    }

    [Fact]
    public async Task A_key_created_on_one_silo_works_on_another_and_its_revocation_holds_there_at_once()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "rv-1" }] });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
            ProcessCluster.Account(settings, simulator, "v1", "rv-1", perMinute: 60));
        await cluster.StartAsync(2);

        var created = await cluster.AdminPostAsync(0, "admin/keys", new { name = "cross-silo" });
        var id = created.GetProperty("id").GetString()!;
        var secret = created.GetProperty("key").GetString()!;
        using (var before = await cluster.GenerateAsync(1, "before revocation", clientKey: secret))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await cluster.AdminPostAsync(0, $"admin/keys/{id}/revoke", new { });
        using var after = await cluster.GenerateAsync(1, "after revocation", clientKey: secret);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(1, simulator.Stats.Total.Snapshot().Served);
    }

    private static async Task<string> Image(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("b64_json").GetString()!;
}
