using ImageOrleans.Grains.Calls;
using ImageOrleans.Grains.Dispatch;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Maintenance;

/// <summary>
/// Notes rows in the expiry index from this silo, behind the writes that made them: the rows that expire in
/// one bucket go together, one call per bucket in flight (<see cref="CoalescedCalls{T}"/>). Like the buckets'
/// own write-behind, a silo that crashes can lose the last notes; those rows then stay until purged.
/// </summary>
public sealed partial class ExpiryNotes
{
    private readonly CoalescedCalls<string> _calls;

    public ExpiryNotes(GrainReferences grains, ILogger<ExpiryNotes> logger) =>
        _calls = new CoalescedCalls<string>(
            async (bucket, keys) => await grains.Get<IExpiryBucketGrain>(bucket).AddAsync(keys),
            (bucket, count, ex) => LogNoteFailed(logger, ex, bucket, count));

    /// <summary>Buckets with notes not yet delivered (queued or in flight); 0 once every note has reached its bucket.</summary>
    public int Undelivered => _calls.Busy;

    /// <summary>Notes the row <paramref name="key"/> of <paramref name="kind"/> that expires at <paramref name="expiresAt"/>.</summary>
    public void Add(ExpiringKind kind, string key, DateTimeOffset expiresAt) => _calls.Add(ExpiryBuckets.For(kind, key, expiresAt), key);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Warning,
        Message = "Expiry bucket {Bucket}: noting {Count} row(s) failed; they stay until their grains are written again or an operator purges them")]
    private static partial void LogNoteFailed(ILogger logger, Exception exception, string bucket, int count);
}
