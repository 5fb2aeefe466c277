namespace ImageOrleans.Silo.GrpcApi;

/// <summary>
/// The lifetime of a server that runs inside the gateway's own host: it neither listens to Ctrl+C or
/// SIGTERM nor prints start-up messages; the gateway's host starts and stops it (after its drain).
/// </summary>
public sealed class HostedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
