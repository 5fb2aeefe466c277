using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ImageOrleans.Cluster.Tests.Infrastructure;
using ImageOrleans.Simulator;
using Npgsql;

namespace ImageOrleans.Cluster.Tests;

/// <summary>
/// Upstream keys and webhook secrets, given by configuration and through the admin API, never reach
/// PostgreSQL in clear: every row of every table of a cluster run is read raw and searched.
/// </summary>
[Collection(ServersTests.Name)]
public sealed class SecretsAtRestTests(ServersFixture servers)
{
    private static readonly string[] DallE2 = ["dall-e-2"];

    [Fact]
    public async Task Raw_PostgreSQL_rows_of_a_cluster_run_hold_none_of_the_configured_secrets()
    {
        var run = Guid.NewGuid().ToString("N");
        var configuredKey = "sk-atrest-configured-" + run;
        var addedKey = "sk-atrest-admin-added-" + run;
        var configuredWebhook = "whsec-atrest-configured-" + run;
        var addedWebhook = "whsec-atrest-admin-added-" + run;
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = configuredKey }, new SimulatedKey { Key = addedKey }],
        });
        var serviceId = string.Empty;
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
        {
            ProcessCluster.Account(settings, simulator, "configured", configuredKey, perMinute: 600);
            settings["ImageOrleans:ClientKeys:hooked:Key"] = "sk-atrest-client-key-" + run;
            settings["ImageOrleans:ClientKeys:hooked:WebhookUrl"] = "http://127.0.0.1:9/hooks";
            settings["ImageOrleans:ClientKeys:hooked:WebhookSecret"] = configuredWebhook;
            serviceId = settings["ImageOrleans:Cluster:ServiceId"]!;
        });
        await cluster.StartAsync(2);

        await cluster.AdminPostAsync(0, "admin/accounts", new
        {
            id = "added",
            kind = "compatible",
            base_url = new Uri(simulator.BaseAddress, "v1/").ToString(),
            api_key = addedKey,
            models = DallE2,
            requests_per_minute = 600,
            images_per_minute = 600,
        });
        await cluster.AdminPostAsync(1, "admin/keys", new
        {
            id = "added-hooked",
            name = "added hooked",
            webhook_url = "http://127.0.0.1:9/hooks",
            webhook_secret = addedWebhook,
        });

        // Each account called from each silo: the key is opened where the call is made.
        for (var silo = 0; silo < 2; silo++)
        {
            await ServesAsync(cluster, silo, "dall-e-2");
            using var configured = await cluster.GenerateAsync(silo, $"configured account {silo}");
            Assert.Equal(HttpStatusCode.OK, configured.StatusCode);
            using var added = await GenerateDallE2Async(cluster, silo, $"added account {silo}");
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        // After a full stop, the admin-added key comes back from storage (ciphertext) and still works.
        await cluster.StopAllAsync();
        await cluster.StartAsync(1);
        using (var again = await GenerateDallE2Async(cluster, 0, "added account after restart"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        await cluster.StopAllAsync();
        var stats = simulator.Stats.Snapshot().Keys;
        Assert.Equal(2, stats[configuredKey].Served);
        Assert.Equal(3, stats[addedKey].Served);

        var cells = await RawCellsAsync(servers.PostgresConnectionString);
        string[] secrets = [configuredKey, addedKey, configuredWebhook, addedWebhook];
        foreach (var (where, bytes) in cells)
        {
            foreach (var secret in secrets)
            {
                foreach (var (form, needle) in Forms(secret))
                {
                    Assert.False(bytes.AsSpan().IndexOf(needle) >= 0, $"{where} holds a configured secret as {form}");
                }
            }
        }

        // The search saw this run's state: both account keys and both webhook secrets, sealed.
        var envelope = Encoding.UTF8.GetBytes($"io1.{ProcessCluster.SecretsKeyId}.");
        var ours = await ServiceRowsAsync(servers.PostgresConnectionString, serviceId);
        var sealedPerType = string.Join(", ", ours.Select(row => $"{row.Type}={Count(row.Payload, envelope)}"));
        Assert.True(ours.Where(row => row.Type.Contains("pool", StringComparison.OrdinalIgnoreCase)).Sum(row => Count(row.Payload, envelope)) == 2, sealedPerType);
        Assert.True(ours.Where(row => row.Type.Contains("key", StringComparison.OrdinalIgnoreCase)).Sum(row => Count(row.Payload, envelope)) == 2, sealedPerType);

        var logs = cluster.Logs();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rotating_the_master_key_re_encrypts_the_pool_so_the_old_key_can_be_removed()
    {
        var run = Guid.NewGuid().ToString("N");
        var configuredKey = "sk-rotate-configured-" + run;
        var addedKey = "sk-rotate-admin-added-" + run;
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = configuredKey }, new SimulatedKey { Key = addedKey }],
        });
        Dictionary<string, string?> settings = null!;
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, given =>
        {
            ProcessCluster.Account(given, simulator, "configured", configuredKey, perMinute: 600);
            settings = given;
        });
        var serviceId = settings["ImageOrleans:Cluster:ServiceId"]!;
        await cluster.StartAsync(1);
        await cluster.AdminPostAsync(0, "admin/accounts", new
        {
            id = "added",
            kind = "compatible",
            base_url = new Uri(simulator.BaseAddress, "v1/").ToString(),
            api_key = addedKey,
            models = DallE2,
            requests_per_minute = 600,
            images_per_minute = 600,
        });
        await cluster.StopAllAsync();
        Assert.Equal((2, 0), await PoolEnvelopesAsync(serviceId, ProcessCluster.SecretsKeyId, "rotated-2"));

        // Step 1 and 2 of a rotation: the new key beside the old one, then made active.
        settings["ImageOrleans:Secrets:Keys:rotated-2"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        settings["ImageOrleans:Secrets:ActiveKeyId"] = "rotated-2";
        await cluster.StartAsync(1);
        using (var afterSwitch = await GenerateDallE2Async(cluster, 0, "after the switch"))
        {
            Assert.Equal(HttpStatusCode.OK, afterSwitch.StatusCode);
        }

        await cluster.StopAllAsync();
        Assert.Equal((0, 2), await PoolEnvelopesAsync(serviceId, ProcessCluster.SecretsKeyId, "rotated-2"));
        Assert.Contains($"re-encrypted from {ProcessCluster.SecretsKeyId} to the active key rotated-2", cluster.Logs(), StringComparison.Ordinal);

        // Step 3: nothing uses the old key any more, so it goes; both accounts still work.
        settings.Remove("ImageOrleans:Secrets:Keys:" + ProcessCluster.SecretsKeyId);
        await cluster.StartAsync(1);
        using (var configured = await cluster.GenerateAsync(0, "configured after removal"))
        using (var added = await GenerateDallE2Async(cluster, 0, "added after removal"))
        {
            Assert.Equal(HttpStatusCode.OK, configured.StatusCode);
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        await cluster.StopAllAsync();
        Assert.Equal(1, simulator.Stats.Snapshot().Keys[configuredKey].Served);
        Assert.Equal(2, simulator.Stats.Snapshot().Keys[addedKey].Served);
    }

    [Fact]
    public async Task A_cluster_silo_without_a_master_key_refuses_to_start_naming_the_setting()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions());
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
        {
            settings.Remove("ImageOrleans:Secrets:Keys:" + ProcessCluster.SecretsKeyId);
            settings.Remove("ImageOrleans:Secrets:ActiveKeyId");
            ProcessCluster.Account(settings, simulator, "configured", "sk-atrest-never-stored-0123456789", perMinute: 60);
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.StartAsync(1));

        Assert.Contains("ImageOrleans:Secrets:Keys is empty", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Waits until silo <paramref name="silo"/>'s cached account list has an account for <paramref name="model"/>.</summary>
    private static Task ServesAsync(ProcessCluster cluster, int silo, string model) => ImageOrleans.Testing.Wait.UntilAsync(async () =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Silos[silo].BaseAddress, $"v1/models/{model}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProcessCluster.ClientKey);
        using var response = await cluster.Http.SendAsync(request);
        return response.IsSuccessStatusCode;
    }, TimeSpan.FromSeconds(30), $"silo {silo} routes {model}");

    private static async Task<HttpResponseMessage> GenerateDallE2Async(ProcessCluster cluster, int silo, string prompt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster.Silos[silo].BaseAddress, "v1/images/generations"))
        {
            Content = JsonContent.Create(new { model = "dall-e-2", prompt, size = "256x256" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProcessCluster.ClientKey);
        return await cluster.Http.SendAsync(request);
    }

    /// <summary>Every non-null cell of every table outside the system schemas, as its raw bytes (text as UTF-8).</summary>
    private static async Task<List<(string Where, byte[] Bytes)>> RawCellsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<(string Schema, string Name)>();
        await using (var list = new NpgsqlCommand(
            "select table_schema, table_name from information_schema.tables " +
            "where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Contains(tables, t => t.Name == "orleansstorage");
        var cells = new List<(string, byte[])>();
        foreach (var (schema, name) in tables)
        {
            await using var select = new NpgsqlCommand($"select * from \"{schema}\".\"{name}\"", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (await reader.IsDBNullAsync(i))
                    {
                        continue;
                    }

                    var value = reader.GetValue(i);
                    var bytes = value as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                    cells.Add(($"{schema}.{name}.{reader.GetName(i)}", bytes));
                }
            }
        }

        return cells;
    }

    private static async Task<List<(string Type, byte[] Payload)>> ServiceRowsAsync(string connectionString, string serviceId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(
            "select graintypestring, payloadbinary from orleansstorage where serviceid = @service and payloadbinary is not null", connection);
        select.Parameters.AddWithValue("service", serviceId);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<(string, byte[])>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), (byte[])reader.GetValue(1)));
        }

        return rows;
    }

    /// <summary>How many ciphertexts under each of two key ids the pool's stored state of this service holds.</summary>
    private async Task<(int First, int Second)> PoolEnvelopesAsync(string serviceId, string first, string second)
    {
        var pool = (await ServiceRowsAsync(servers.PostgresConnectionString, serviceId))
            .Where(row => row.Type.Contains("pool", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.Single(pool);
        return (Count(pool[0].Payload, Encoding.UTF8.GetBytes($"io1.{first}.")), Count(pool[0].Payload, Encoding.UTF8.GetBytes($"io1.{second}.")));
    }

    private static IEnumerable<(string Form, byte[] Bytes)> Forms(string secret)
    {
        var utf8 = Encoding.UTF8.GetBytes(secret);
        var utf16 = Encoding.Unicode.GetBytes(secret);
        yield return ("UTF-8", utf8);
        yield return ("UTF-16", utf16);
        yield return ("base64 of UTF-8", Encoding.ASCII.GetBytes(Convert.ToBase64String(utf8).TrimEnd('=')));
        yield return ("base64 of UTF-16", Encoding.ASCII.GetBytes(Convert.ToBase64String(utf16).TrimEnd('=')));
    }

    private static int Count(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var at = haystack.AsSpan().IndexOf(needle); at >= 0; count++)
        {
            var next = haystack.AsSpan(at + needle.Length).IndexOf(needle);
            at = next < 0 ? -1 : at + needle.Length + next;
        }

        return count;
    }
}
