using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;

namespace ImageOrleans.Cluster.Tests.Infrastructure;

/// <summary>
/// A gateway cluster of separate silo processes sharing Redis, PostgreSQL and an image folder, in
/// front of a simulator. Each cluster has its own cluster and service id, so tests never see each
/// other's membership or state.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string ClientKey = "sk-cluster-test-client-0123456789abcdef";
    public const string AdminKey = "sk-cluster-test-admin-0123456789abcdef";

    /// <summary>The master key every silo shares to encrypt upstream keys and webhook secrets at rest.</summary>
    public const string SecretsKeyId = "cluster-1";
    public const string SecretsKey = "Y2x1c3Rlci10ZXN0cy1zZWNyZXRzLW1hc3Rlci1rZXk=";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _logs;

    // One self-signed certificate for the whole run: every test cluster's silos share it and trust only it.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(() => TestCertificates.CreateSelfSigned("imageorleans-cluster-tests"));

    private ProcessCluster(string id, Dictionary<string, string?> settings, string logs, SimulatorServer simulator)
    {
        Id = id;
        _settings = settings;
        _logs = logs;
        Simulator = simulator;
    }

    /// <summary>The certificate the cluster's silos present and trust on their silo and gateway ports.</summary>
    public static X509Certificate2 Certificate => SharedCertificate.Value;

    /// <summary>Cluster and service id.</summary>
    public string Id { get; }

    /// <summary>The settings every silo of this cluster starts with (TLS on with <see cref="Certificate"/>).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>Where the silos write their logs.</summary>
    public string LogFolder => _logs;

    public List<SiloProcess> Silos { get; } = [];

    public SimulatorServer Simulator { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A cluster whose accounts are those <paramref name="accounts"/> add to the settings.</summary>
    public static Task<ProcessCluster> CreateAsync(ServersFixture servers, SimulatorServer simulator, Action<Dictionary<string, string?>> accounts)
    {
        var id = "cluster-" + Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string?>
        {
            ["ImageOrleans:Cluster:Mode"] = "Redis",
            ["ImageOrleans:Cluster:ClusterId"] = id,
            ["ImageOrleans:Cluster:ServiceId"] = id,
            ["ImageOrleans:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["ImageOrleans:Cluster:Redis:ConnectionString"] = servers.RedisConnectionString,
            ["ImageOrleans:Cluster:PostgreSql:ConnectionString"] = servers.PostgresConnectionString,
            ["ImageOrleans:Images:SigningKey"] = "cluster-tests-signing-key-0123456789abcdef",
            ["ImageOrleans:DataPath"] = Path.Combine(servers.Root, id, "data"),
            ["ImageOrleans:Simulator:Embedded"] = "false",
            ["ImageOrleans:ClientKeys:tests:Key"] = ClientKey,
            ["ImageOrleans:ClientKeys:tests:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tests:ImagesPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tests:DailyBudgetUsd"] = "100",
            ["ImageOrleans:Admin:Key"] = AdminKey,
            ["ImageOrleans:Secrets:Keys:" + SecretsKeyId] = SecretsKey,
            ["ImageOrleans:Secrets:ActiveKeyId"] = SecretsKeyId,
            ["ImageOrleans:FrontDoor:Dashboard"] = "false",
            ["ImageOrleans:Dispatch:DrainTimeout"] = "00:00:05",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Warning",
        };
        foreach (var (key, value) in TestCertificates.SiloSettings(Certificate, Path.Combine(servers.Root, id, "tls"), "silo"))
        {
            settings[key] = value;
        }

        accounts(settings);
        return Task.FromResult(new ProcessCluster(id, settings, Path.Combine(servers.Root, id, "logs"), simulator));
    }

    /// <summary>Settings for an account against the simulator with key <paramref name="key"/>.</summary>
    public static void Account(Dictionary<string, string?> settings, SimulatorServer simulator, string id, string key, int perMinute, int concurrency = 64)
    {
        var prefix = $"ImageOrleans:Accounts:{id}:";
        settings[prefix + "Kind"] = "Compatible";
        settings[prefix + "BaseUrl"] = new Uri(simulator.BaseAddress, "v1/").ToString();
        settings[prefix + "ApiKey"] = key;
        settings[prefix + "Models:0"] = "gpt-image-1";
        settings[prefix + "RequestsPerMinute"] = perMinute.ToString(CultureInfo.InvariantCulture);
        settings[prefix + "ImagesPerMinute"] = perMinute.ToString(CultureInfo.InvariantCulture);
        settings[prefix + "MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture);
    }

    public async Task StartAsync(int silos)
    {
        // One at a time: the first creates the schema, the others join it.
        for (var i = 0; i < silos; i++)
        {
            Silos.Add(await SiloProcess.StartAsync(Silos.Count, _settings, _logs));
        }
    }

    public async Task StopAllAsync()
    {
        await Task.WhenAll(Silos.Select(s => s.StopAsync(TimeSpan.FromSeconds(60))));
        Silos.Clear();
    }

    /// <summary>POSTs a generation to silo <paramref name="silo"/>.</summary>
    public async Task<HttpResponseMessage> GenerateAsync(int silo, string prompt, int? timeoutMs = null, string? idempotencyKey = null, string clientKey = ClientKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Silos[silo].BaseAddress, "v1/images/generations"))
        {
            Content = JsonContent.Create(new { model = "gpt-image-1", prompt, quality = "low" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clientKey);
        if (timeoutMs is { } ms)
        {
            request.Headers.Add("x-imageorleans-timeout-ms", ms.ToString(CultureInfo.InvariantCulture));
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The admin view of one account, from any silo.</summary>
    public Task<JsonElement> AccountAsync(int silo, string id) => AdminGetAsync(silo, $"admin/accounts/{id}");

    /// <summary>The admin view of the tests' client key, with its spend.</summary>
    public Task<JsonElement> ClientKeyAsync(int silo) => AdminGetAsync(silo, "admin/keys/tests");

    /// <summary>POSTs <paramref name="body"/> to an admin endpoint of silo <paramref name="silo"/>.</summary>
    public async Task<JsonElement> AdminPostAsync(int silo, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Silos[silo].BaseAddress, path)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> AdminGetAsync(int silo, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Silos[silo].BaseAddress, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Everything the silos logged, for assertions about what must never appear in logs.</summary>
    public string Logs() => string.Join('\n', Directory.Exists(_logs) ? Directory.GetFiles(_logs).Select(ReadShared) : []);

    private static string ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }

        Http.Dispose();
    }
}
