namespace ImageOrleans.Simulator.Tests.TestSupport;

/// <summary>A running <see cref="SimulatorServer"/> on a free loopback port with an HttpClient pointed at it.</summary>
internal sealed class SimulatorHost : IAsyncDisposable
{
    private SimulatorHost(SimulatorServer server)
    {
        Server = server;
        Client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public SimulatorServer Server { get; }

    public HttpClient Client { get; }

    public SimulatorStats Stats => Server.Stats;

    public static async Task<SimulatorHost> StartAsync(SimulatorOptions options, TimeProvider? timeProvider = null) =>
        new(await SimulatorServer.StartAsync(options, timeProvider: timeProvider));

    /// <summary>A client with its own connection pool, for requests that must not reuse a connection.</summary>
    public HttpClient NewClient() => new() { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
