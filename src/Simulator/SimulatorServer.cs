using ImageOrleans.Simulator.Api;
using ImageOrleans.Simulator.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Simulator;

/// <summary>A self-hosted simulator on its own Kestrel server, for tests, benchmarks and the gateway's embedded mode.</summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorEngine _engine;
    private int _stopped;

    private SimulatorServer(WebApplication app, SimulatorEngine engine, Uri baseAddress)
    {
        _app = app;
        _engine = engine;
        BaseAddress = baseAddress;
    }

    /// <summary>The address actually bound, with a trailing slash (e.g. http://127.0.0.1:41234/).</summary>
    public Uri BaseAddress { get; }

    public SimulatorStats Stats => _engine.Stats;

    /// <summary>The edits and variations whose parts passed the simulator's checks, latest last.</summary>
    public EditLog Edits => _app.Services.GetRequiredService<EditLog>();

    /// <summary>
    /// Builds and starts a simulator. Only <paramref name="options"/> configure it: neither appsettings
    /// files nor environment variables are read. Port 0 in <paramref name="url"/> picks a free port.
    /// <paramref name="timeProvider"/> is the clock for rate limits, latency and hangs (a FakeTimeProvider
    /// in tests); the system clock by default.
    /// </summary>
    public static async Task<SimulatorServer> StartAsync(
        SimulatorOptions options,
        string url = "http://127.0.0.1:0",
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SimulatorServer).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);

        // Hanging requests observe ApplicationStopping, so shutdown never needs long.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddImageSimulator(
            target =>
            {
                target.Keys = options.Keys;
                target.Latency = options.Latency;
                target.Faults = options.Faults;
                target.Image = options.Image;
                target.Seed = options.Seed;
                target.ContentPolicyKeyword = options.ContentPolicyKeyword;
                target.AdvertiseLimits = options.AdvertiseLimits;
            },
            timeProvider ?? TimeProvider.System);

        var app = builder.Build();
        app.MapImageSimulator();
        app.Urls.Add(url);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var engine = app.Services.GetRequiredService<SimulatorEngine>();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var baseAddress = ToBaseAddress(address);
            var logger = app.Services.GetRequiredService<ILogger<SimulatorServer>>();
            SimulatorLog.Started(logger, baseAddress, options.Keys.Count);
            return new SimulatorServer(app, engine, baseAddress);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Adds a key or replaces its settings; buckets keep the tokens already used.</summary>
    /// <exception cref="ArgumentException">The key's settings are invalid.</exception>
    public void UpsertKey(SimulatedKey key) => _engine.UpsertKey(key);

    /// <summary>Replaces the global faults (keys with their own faults keep them).</summary>
    /// <exception cref="ArgumentException">A rate is outside 0..1 or the rates sum above 1.</exception>
    public void SetFaults(FaultOptions faults) => _engine.SetFaults(faults);

    /// <summary>Zeroes the counters (except requests still in flight) and refills every key's buckets.</summary>
    public void Reset() => _engine.Reset();

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    // Kestrel reports wildcard bindings as such; a client needs an address it can connect to.
    private static Uri ToBaseAddress(string address)
    {
        var uri = new UriBuilder(address) { Path = "/" };
        uri.Host = uri.Host switch
        {
            "0.0.0.0" or "+" or "*" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            _ => uri.Host,
        };
        return uri.Uri;
    }
}
