using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Silo.Api;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Pipeline;
using ImageOrleans.Silo.Telemetry;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ImageOrleans.Silo.GrpcApi;

/// <summary>
/// The gRPC front door: its own Kestrel server speaking HTTP/2 on <see cref="GrpcOptions.Url"/> (cleartext
/// HTTP/2 cannot share the HTTP/1.1 port), serving <c>imageorleans.v1.Images</c> over the same services as
/// the HTTP front door, with server reflection and <c>grpc.health.v1</c> (serving only while the silo is active).
/// </summary>
public sealed partial class GrpcFrontDoor(IServiceProvider services, IOptions<GrpcOptions> options, ILogger<GrpcFrontDoor> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address it listens on, once started (the real port when configured with port 0).</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(services.GetRequiredService<ILoggerFactory>());
        builder.Services.AddSingleton<IHostLifetime, HostedLifetime>();
        builder.WebHost.UseUrls(settings.Url);
        // TLS for an https Url: Kestrel's own settings under ImageOrleans:Grpc:Kestrel, e.g.
        // Certificates:Default:Path and KeyPath (PEM) or Path and Password (PFX).
        var kestrelSettings = services.GetRequiredService<IConfiguration>().GetSection("ImageOrleans:Grpc:Kestrel");
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Configure(kestrelSettings, reloadOnChange: false);
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = settings.MaxReceiveMessageBytes);
        builder.Services.AddGrpcReflection();
        var oracle = services.GetRequiredService<ISiloStatusOracle>();
        builder.Services.AddGrpcHealthChecks().AddCheck("silo", () => oracle.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"silo {oracle.CurrentStatus}"));

        // The same instances as the HTTP front door: one pipeline, one key directory, one link signer.
        builder.Services.AddSingleton(services.GetRequiredService<GenerationPipeline>());
        builder.Services.AddSingleton(services.GetRequiredService<ClientKeyDirectory>());
        builder.Services.AddSingleton(services.GetRequiredService<AccountDirectory>());
        builder.Services.AddSingleton(services.GetRequiredService<ImageLinks>());
        builder.Services.AddSingleton(services.GetRequiredService<RequestTelemetryFilter>());
        builder.Services.AddSingleton(services.GetRequiredService<TimeProvider>());
        builder.Services.AddSingleton(services.GetRequiredService<IGrainFactory>());
        builder.Services.AddSingleton(services.GetRequiredService<IOptions<BillingOptions>>());
        builder.Services.AddSingleton(services.GetRequiredService<StreamRelay>());
        builder.Services.AddSingleton(services.GetRequiredService<UploadStore>());
        builder.Services.AddSingleton(services.GetRequiredService<IOptions<UploadOptions>>());

        var app = builder.Build();
        app.MapGrpcService<ImagesGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        await app.StartAsync(cancellationToken);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Address = address is null ? null : new Uri(address);
        LogListening(logger, Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "gRPC front door listening on {Address} (HTTP/2)")]
    private static partial void LogListening(ILogger logger, Uri? address);
}
