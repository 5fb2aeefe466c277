using ImageOrleans.Simulator;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// A gateway over a separate simulator with two accounts: "failing" (every call a 500) in the first
/// routing group, so each request tries it first, and "healthy" in the overflow group.
/// </summary>
public sealed class EditFailoverGatewayFixture : GatewayFactory, IAsyncLifetime
{
    public const string FailingSecret = "sk-upstream-failing-edit-71c0";
    public const string HealthySecret = "sk-upstream-healthy-edit-3d9a";

    private SimulatorServer? _upstream;

    public SimulatorServer Upstream => _upstream!;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ImageOrleans:Simulator:Embedded", "false"),
        new("ImageOrleans:Accounts:failing:Kind", "Compatible"),
        new("ImageOrleans:Accounts:failing:BaseUrl", new Uri(_upstream!.BaseAddress, "v1/").ToString()),
        new("ImageOrleans:Accounts:failing:ApiKey", FailingSecret),
        new("ImageOrleans:Accounts:failing:Models:0", "gpt-image-2.6-sunburst"),
        new("ImageOrleans:Accounts:failing:Group", "primary"),
        new("ImageOrleans:Accounts:failing:GroupPriority", "0"),
        new("ImageOrleans:Accounts:failing:RequestsPerMinute", "600"),
        new("ImageOrleans:Accounts:failing:ImagesPerMinute", "600"),
        new("ImageOrleans:Accounts:healthy:Kind", "Compatible"),
        new("ImageOrleans:Accounts:healthy:BaseUrl", new Uri(_upstream!.BaseAddress, "v1/").ToString()),
        new("ImageOrleans:Accounts:healthy:ApiKey", HealthySecret),
        new("ImageOrleans:Accounts:healthy:Models:0", "gpt-image-2.6-sunburst"),
        new("ImageOrleans:Accounts:healthy:Group", "backup"),
        new("ImageOrleans:Accounts:healthy:GroupPriority", "1"),
        new("ImageOrleans:Accounts:healthy:RequestsPerMinute", "600"),
        new("ImageOrleans:Accounts:healthy:ImagesPerMinute", "600"),
    ];

    public async Task InitializeAsync()
    {
        _upstream = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = FailingSecret, RequestsPerMinute = 600, ImagesPerMinute = 600, Faults = new FaultOptions { ServerErrorRate = 1.0 } },
                new SimulatedKey { Key = HealthySecret, RequestsPerMinute = 600, ImagesPerMinute = 600 },
            ],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 0 },
        });
        Start();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }
}
