using ImageOrleans.Simulator;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// A gateway whose accounts are configured against a separate simulator with distinctive upstream
/// keys, one of them revoked upstream; logging down to Debug, all of it captured, so a test can look
/// for secrets in everything the gateway wrote.
/// </summary>
public sealed class ExternalUpstreamFixture : GatewayFactory, IAsyncLifetime
{
    public const string ConfiguredSecret = "sk-upstream-configured-secret-7f3a9c51";
    public const string RevokedSecret = "sk-upstream-revoked-secret-9c1d04e2";
    public const string AddedSecret = "sk-upstream-added-secret-4b2e8d73";
    public const string ReplacedSecret = "sk-upstream-replaced-secret-2a6f1b88";
    public const string WebhookSecret = "whsec-test-secret-5d7e3f90a1";

    private SimulatorServer? _upstream;

    public SimulatorServer Upstream => _upstream ?? throw new InvalidOperationException("Not started.");

    public Uri UpstreamApi => new(Upstream.BaseAddress, "v1/");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ImageOrleans:Admin:Key", AdminGatewayFixture.AdminKey),
        new("ImageOrleans:Simulator:Embedded", "false"),
        new("ImageOrleans:Accounts:configured:Kind", "Compatible"),
        new("ImageOrleans:Accounts:configured:BaseUrl", UpstreamApi.ToString()),
        new("ImageOrleans:Accounts:configured:ApiKey", ConfiguredSecret),
        new("ImageOrleans:Accounts:configured:Models:0", "gpt-image-2.6-flare"),
        new("ImageOrleans:Accounts:configured:RequestsPerMinute", "600"),
        new("ImageOrleans:Accounts:configured:ImagesPerMinute", "600"),
        new("ImageOrleans:Accounts:revoked:Kind", "Compatible"),
        new("ImageOrleans:Accounts:revoked:BaseUrl", UpstreamApi.ToString()),
        new("ImageOrleans:Accounts:revoked:ApiKey", RevokedSecret),
        new("ImageOrleans:Accounts:revoked:Models:0", "gpt-image-2.6-flare"),
        new("ImageOrleans:Accounts:revoked:RequestsPerMinute", "600"),
        new("ImageOrleans:Accounts:revoked:ImagesPerMinute", "600"),
        new("Logging:LogLevel:Default", "Debug"),
        new("Logging:LogLevel:Orleans", "Information"),
    ];

    public async Task InitializeAsync()
    {
        _upstream = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = ConfiguredSecret, RequestsPerMinute = 600, ImagesPerMinute = 600 },
                new SimulatedKey { Key = RevokedSecret, Revoked = true },
                new SimulatedKey { Key = AddedSecret, RequestsPerMinute = 600, ImagesPerMinute = 600 },
                new SimulatedKey { Key = ReplacedSecret, RequestsPerMinute = 600, ImagesPerMinute = 600 },
            ],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 0 },
        });
        Start();
    }

    public HttpClient Admin() => Http(AdminGatewayFixture.AdminKey);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }
}
