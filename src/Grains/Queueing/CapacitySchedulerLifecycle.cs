using ImageOrleans.Grains.Dispatch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ImageOrleans.Grains.Queueing;

/// <summary>
/// Starts the scheduler with the silo. When the silo is asked to stop, it first finishes what it accepted: waiting requests are served
/// and upstream calls in flight complete, up to <see cref="DispatchOptions.DrainTimeout"/>. Whatever
/// still waits after that is answered 503 with Retry-After, never dropped.
/// </summary>
public sealed partial class CapacitySchedulerLifecycle(
    CapacityScheduler scheduler,
    DispatchActivity activity,
    IOptions<DispatchOptions> options,
    ILogger<CapacitySchedulerLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CapacitySchedulerLifecycle), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // Observer references can only be made outside grain code, which lifecycle hooks are.
        scheduler.Start();
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.DrainTimeout;
        LogDraining(logger, scheduler.Waiting, activity.InFlight);
        await scheduler.DrainAsync(timeout, cancellationToken);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await activity.WhenIdleAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            LogDrainIncomplete(logger, activity.InFlight);
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Silo stopping: serving {Waiting} waiting and {InFlight} in-flight request(s) first")]
    private static partial void LogDraining(ILogger logger, int waiting, int inFlight);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Silo stopping with {InFlight} upstream call(s) still in flight after the drain timeout")]
    private static partial void LogDrainIncomplete(ILogger logger, int inFlight);
}
