using System.ClientModel;
using System.ClientModel.Primitives;
using ImageOrleans.Silo.Hosting;
using ImageOrleans.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Images;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// The whole gateway as `dotnet run --project src/Silo` starts it (silo, front door, embedded
/// simulator), listening on a real loopback port, with test keys and settings layered on top.
/// </summary>
public class GatewayFactory : WebApplicationFactory<Program>
{
    public const string KeyA = "sk-test-tenant-a-0123456789abcdef";
    public const string KeyA2 = "sk-test-tenant-a-second-0123456789";
    public const string KeyB = "sk-test-tenant-b-0123456789abcdef";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "io-gateway-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Settings a derived fixture adds or overrides.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    /// <summary>Everything the gateway logged, at the levels the settings let through.</summary>
    public LogCapture Logs { get; } = new();

    public Uri BaseAddress => new(ClientOptions.BaseAddress, "/");

    public Uri ApiBase => new(ClientOptions.BaseAddress, "/v1/");

    public SimulatorServer Simulator => Services.GetRequiredService<EmbeddedSimulatorService>().Server!;

    public void Start()
    {
        UseKestrel(0);
        StartServer();
    }

    /// <summary>The official OpenAI SDK pointed at the gateway, with its own retries off so every answer is seen.</summary>
    public ImageClient ImageClient(string model = "gpt-image-2.6-flare", string key = KeyA) =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = ApiBase,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromMinutes(5),
        });

    public HttpClient Http(string? key = KeyA)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ImageOrleans:DataPath"] = _dataPath,

            // Today's models, plus the two retired DALL·E models as a compatible vendor that still serves
            // them would list them: the tests of per-image billing and of URL answers run on those.
            ["ImageOrleans:Simulator:Models:0"] = "gpt-image-2",
            ["ImageOrleans:Simulator:Models:1"] = "gpt-image-2.5-flare",
            ["ImageOrleans:Simulator:Models:2"] = "gpt-image-2.5-sunburst",
            ["ImageOrleans:Simulator:Models:3"] = "gpt-image-2.6-flare",
            ["ImageOrleans:Simulator:Models:4"] = "gpt-image-2.6-sunburst",
            ["ImageOrleans:Simulator:Models:5"] = "dall-e-2",
            ["ImageOrleans:Simulator:Models:6"] = "dall-e-3",

            // Streamed answers pause between events, long enough for a client to hang up mid-stream.
            ["ImageOrleans:Simulator:Image:StreamIntervalMs"] = "100",

            // Old clients that still ask for the shut-down gpt-image-1 keep working, on its successor.
            ["ImageOrleans:Models:Aliases:gpt-image-1:gpt-image-2.6-sunburst"] = "100",
            ["ImageOrleans:Cluster:ClusterId"] = "gateway-tests-" + Guid.NewGuid().ToString("N")[..8],
            ["ImageOrleans:Cluster:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ImageOrleans:Cluster:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ImageOrleans:Grpc:Url"] = "http://127.0.0.1:0",
            ["ImageOrleans:ClientKeys:tenant-a:Key"] = KeyA,
            ["ImageOrleans:ClientKeys:tenant-a-second:Key"] = KeyA2,
            ["ImageOrleans:ClientKeys:tenant-a-second:Tenant"] = "tenant-a",
            ["ImageOrleans:ClientKeys:tenant-b:KeyHash"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(KeyB))),

            // The shared test keys have no quota of their own; the quota tests use keys that do.
            ["ImageOrleans:ClientKeys:tenant-a:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tenant-a:ImagesPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tenant-a-second:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tenant-a-second:ImagesPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tenant-b:RequestsPerMinute"] = "0",
            ["ImageOrleans:ClientKeys:tenant-b:ImagesPerMinute"] = "0",
            ["ImageOrleans:FrontDoor:Dashboard"] = "false",
            ["ImageOrleans:Dispatch:BackoffBase"] = "00:00:00",
            ["ImageOrleans:Simulator:Latency:Distribution"] = "fixed",
            ["ImageOrleans:Simulator:Latency:MedianMs"] = "0",
            ["ImageOrleans:Simulator:RequestsPerMinute"] = "600",
            ["ImageOrleans:Simulator:ImagesPerMinute"] = "600",
            ["ImageOrleans:Simulator:MaxConcurrency"] = "64",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private static int FreePort() => Testing.FreePort.Next();
}
