using ImageOrleans.Grains.Maintenance;
using ImageOrleans.Grains.Pool;
using Orleans.Runtime;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Once this silo is active, before it takes traffic: seeds the pool and the client keys from
/// configuration and makes sure the image retention and expired-state sweeps are scheduled.
/// </summary>
public sealed partial class SiloStartupTasks(
    IGrainFactory grains,
    PoolSeedSource seed,
    ClientKeySeed keys,
    AccountDirectory directory,
    ILogger<SiloStartupTasks> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloStartupTasks), ServiceLifecycleStage.Active, OnStartAsync);

    private async Task OnStartAsync(CancellationToken cancellationToken)
    {
        var snapshot = await grains.GetGrain<IPoolGrain>(0).SeedAsync(seed.Accounts);
        await directory.RefreshAsync();
        LogSeeded(logger, seed.Accounts.Count, snapshot.Accounts.Count, snapshot.Version);
        await keys.ApplyAsync(grains);
        await grains.GetGrain<IImageRetentionGrain>(0).EnsureScheduledAsync();
        await grains.GetGrain<IExpirySweeperGrain>(0).EnsureScheduledAsync();
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Pool seeded from configuration with {Configured} account(s); the pool now has {Total} account(s) at version {Version}")]
    private static partial void LogSeeded(ILogger logger, int configured, int total, long version);
}
