using System.Collections.Concurrent;
using System.Diagnostics;
using ImageOrleans.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// A gateway with traces on, every finished span kept in memory, and two accounts on a separate
/// simulator: "healthy", and "failing", which answers every call with a 500.
/// </summary>
public sealed class TracingGatewayFixture : GatewayFactory, IAsyncLifetime
{
    public const string HealthySecret = "sk-upstream-healthy-trace-5a1c";
    public const string FailingSecret = "sk-upstream-failing-trace-9e2b";

    private SimulatorServer? _upstream;

    public ConcurrentQueue<Activity> Spans { get; } = new();

    private Uri UpstreamApi => new(_upstream!.BaseAddress, "v1/");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ImageOrleans:Telemetry:Traces", "true"),
        new("ImageOrleans:Simulator:Embedded", "false"),
        new("ImageOrleans:Accounts:healthy:Kind", "Compatible"),
        new("ImageOrleans:Accounts:healthy:BaseUrl", UpstreamApi.ToString()),
        new("ImageOrleans:Accounts:healthy:ApiKey", HealthySecret),
        new("ImageOrleans:Accounts:healthy:Models:0", "gpt-image-2.6-flare"),
        new("ImageOrleans:Accounts:healthy:RequestsPerMinute", "600"),
        new("ImageOrleans:Accounts:healthy:ImagesPerMinute", "600"),
        new("ImageOrleans:Accounts:failing:Kind", "Compatible"),
        new("ImageOrleans:Accounts:failing:BaseUrl", UpstreamApi.ToString()),
        new("ImageOrleans:Accounts:failing:ApiKey", FailingSecret),
        new("ImageOrleans:Accounts:failing:Models:0", "gpt-image-2.6-flare"),
        new("ImageOrleans:Accounts:failing:RequestsPerMinute", "600"),
        new("ImageOrleans:Accounts:failing:ImagesPerMinute", "600"),
    ];

    public async Task InitializeAsync()
    {
        _upstream = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = HealthySecret, RequestsPerMinute = 600, ImagesPerMinute = 600 },
                new SimulatedKey { Key = FailingSecret, RequestsPerMinute = 600, ImagesPerMinute = 600, Faults = new FaultOptions { ServerErrorRate = 1.0 } },
            ],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 0 },
        });
        Start();
    }

    /// <summary>The finished spans of one trace.</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId id) => Spans.Where(s => s.TraceId == id).ToList();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new Collector(Spans)))));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    private sealed class Collector(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch)
            {
                spans.Enqueue(span);
            }

            return ExportResult.Success;
        }
    }
}
