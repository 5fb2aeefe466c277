using ImageOrleans.Grains.Images;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ImageOrleans.Grains.Maintenance;

/// <inheritdoc cref="IImageRetentionGrain"/>
public sealed partial class ImageRetentionGrain(
    IImageStore store,
    IOptions<ImagesOptions> options,
    TimeProvider time,
    ILogger<ImageRetentionGrain> logger) : Grain, IImageRetentionGrain, IRemindable
{
    private const string ReminderName = "image-retention";

    public Task EnsureScheduledAsync() => SweepReminders.EnsureAsync(this, ReminderName, options.Value.SweepInterval);

    public async Task<int> SweepAsync()
    {
        var cutoff = time.GetUtcNow() - options.Value.Retention;

        // File system work stays off this grain's scheduler.
        var deleted = await Task.Run(() => store.DeleteOlderThanAsync(cutoff, CancellationToken.None).AsTask());
        LogSwept(logger, deleted, cutoff);
        return deleted;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == ReminderName ? SweepAsync() : Task.CompletedTask;

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Image retention: deleted {Deleted} image(s) last stored before {Cutoff}")]
    private static partial void LogSwept(ILogger logger, int deleted, DateTimeOffset cutoff);
}
