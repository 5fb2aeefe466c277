using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Secrets;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Simulator;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Runs the upstream simulator inside the silo's process on a free loopback port, with one key per
/// simulated account of the seed, so the embedded default needs no key and no network.
/// </summary>
public sealed partial class EmbeddedSimulatorService(
    IOptions<EmbeddedSimulatorOptions> options,
    IConfiguration configuration,
    PoolSeedSource seed,
    EmbeddedSimulatorEndpoint endpoint,
    SecretCipher secrets,
    ILogger<EmbeddedSimulatorService> logger) : IHostedService, IAsyncDisposable
{
    private SimulatorServer? _server;

    /// <summary>The running simulator, for tests and diagnostics; null when not embedded.</summary>
    public SimulatorServer? Server => _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Embedded)
        {
            return;
        }

        var simulator = configuration.GetSection("ImageOrleans:Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
        simulator.Keys.Clear();
        foreach (var account in seed.Accounts.Where(a => a.Kind == UpstreamKind.Simulated && string.IsNullOrEmpty(a.BaseUrl)))
        {
            simulator.Keys.Add(new SimulatedKey
            {
                Key = secrets.Reveal(account.ApiKey, $"simulated account '{account.Id}'"),
                RequestsPerMinute = account.RequestsPerMinute,
                ImagesPerMinute = account.ImagesPerMinute,
            });
        }

        _server = await SimulatorServer.StartAsync(simulator, "http://127.0.0.1:0", cancellationToken: cancellationToken);
        endpoint.Set(_server.BaseAddress);
        LogStarted(logger, _server.BaseAddress, simulator.Keys.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Embedded simulator listening on {Address} with {Keys} simulated account key(s)")]
    private static partial void LogStarted(ILogger logger, Uri address, int keys);
}
