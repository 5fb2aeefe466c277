using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Grains.Persistence;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Maintenance;

/// <inheritdoc cref="IExpiryBucketGrain"/>
/// <remarks>
/// Keys are written behind in batches (every few seconds and on deactivation), so noting a row costs
/// no storage write of its own; a silo crash can lose the last seconds of notes, and those rows then
/// stay until an operator purges them.
/// </remarks>
public sealed partial class ExpiryBucketGrain(
    [PersistentState("bucket", GrainStorageNames.Maintenance)] IPersistentState<ExpiryBucketState> state,
    StorageDurability durability,
    TimeProvider time,
    ILogger<ExpiryBucketGrain> logger) : Grain, IExpiryBucketGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    // Rows deleted at once while sweeping: enough to be quick, few enough not to flood storage.
    private const int SweepParallelism = 8;

    private readonly WriteBehind _writes = new(time, FlushInterval, TimeSpan.FromMinutes(1));
    private bool _registered;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _registered = state.RecordExists;
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions { DueTime = FlushInterval, Period = FlushInterval, Interleave = false });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        durability.SaveOn(reason) ? _writes.FlushAsync(state.WriteStateAsync, LogFailed, force: true, cancellationToken) : Task.CompletedTask;

    public async ValueTask AddAsync(IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            if (state.State.Keys.Add(key))
            {
                _writes.MarkDirty();
            }
        }

        if (!_registered)
        {
            // The sweeper learns of each bucket once, so it only ever visits buckets that hold rows.
            var (_, end) = ExpiryBuckets.Parse(this.GetPrimaryKeyString());
            await GrainFactory.GetGrain<IExpirySweeperGrain>(0).RegisterAsync(this.GetPrimaryKeyString(), end);
            _registered = true;
        }
    }

    public async Task<int> SweepAsync()
    {
        var (kind, _) = ExpiryBuckets.Parse(this.GetPrimaryKeyString());
        var deleted = 0;
        foreach (var chunk in state.State.Keys.ToList().Chunk(SweepParallelism))
        {
            var results = await Task.WhenAll(chunk.Select(key => Target(kind, key).ExpireAsync()));
            deleted += results.Count(r => r);
        }

        state.State = new ExpiryBucketState();
        await state.ClearStateAsync();
        _writes.FlushedElsewhere();
        _registered = false;
        DeactivateOnIdle();
        return deleted;
    }

    private IExpiringGrain Target(ExpiringKind kind, string key) => kind switch
    {
        ExpiringKind.PromptCache => GrainFactory.GetGrain<IPromptCacheGrain>(key),
        ExpiringKind.Idempotency => GrainFactory.GetGrain<IIdempotencyGrain>(key),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private Task FlushAsync(CancellationToken cancellationToken) => _writes.FlushAsync(state.WriteStateAsync, LogFailed, force: false, cancellationToken);

    private void LogFailed(Exception exception, int failures, TimeSpan backoff) =>
        LogWriteFailed(logger, exception, this.GetPrimaryKeyString(), failures, backoff.TotalSeconds);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning,
        Message = "Expiry bucket {Bucket}: writing it failed ({Failures} in a row); kept in memory and tried again in {BackoffSeconds} s")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string bucket, int failures, double backoffSeconds);
}
