using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ImageOrleans.Grains.Maintenance;

/// <inheritdoc cref="IExpirySweeperGrain"/>
public sealed partial class ExpirySweeperGrain(
    [PersistentState("sweeper", GrainStorageNames.Maintenance)] IPersistentState<ExpirySweeperState> state,
    IOptions<CacheOptions> options,
    TimeProvider time,
    ILogger<ExpirySweeperGrain> logger) : Grain, IExpirySweeperGrain, IRemindable
{
    private const string ReminderName = "expired-state";

    public Task EnsureScheduledAsync() => SweepReminders.EnsureAsync(this, ReminderName, options.Value.SweepInterval);

    public async ValueTask RegisterAsync(string bucket, DateTimeOffset sweepableAt)
    {
        // A few buckets each five minutes: written at once, so a bucket is never forgotten.
        if (state.State.Buckets.TryAdd(bucket, sweepableAt))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<int> SweepAsync()
    {
        var now = time.GetUtcNow();
        var due = state.State.Buckets.Where(b => b.Value <= now).Select(b => b.Key).ToList();
        var deleted = 0;
        foreach (var bucket in due)
        {
            try
            {
                deleted += await GrainFactory.GetGrain<IExpiryBucketGrain>(bucket).SweepAsync();
                state.State.Buckets.Remove(bucket);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Kept: the next sweep tries this bucket again.
                LogBucketFailed(logger, ex, bucket);
            }
        }

        if (due.Count > 0)
        {
            await state.WriteStateAsync();
            LogSwept(logger, deleted, due.Count);
        }

        return deleted;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == ReminderName ? SweepAsync() : Task.CompletedTask;

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "Expired state: deleted {Deleted} expired cache and idempotency row(s) from {Buckets} bucket(s)")]
    private static partial void LogSwept(ILogger logger, int deleted, int buckets);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "Expired state: sweeping bucket {Bucket} failed; it is tried again at the next sweep")]
    private static partial void LogBucketFailed(ILogger logger, Exception exception, string bucket);
}
