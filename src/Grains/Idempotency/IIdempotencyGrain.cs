using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Maintenance;

namespace ImageOrleans.Grains.Idempotency;

/// <summary>
/// One client's <c>Idempotency-Key</c> (keyed "client key id/idempotency key"). The first request with
/// the key runs; a retry while it runs waits for it; a retry after it completed gets the same answer,
/// with no second upstream call and no second charge, from any silo.
/// </summary>
public interface IIdempotencyGrain : IExpiringGrain
{
    [ResponseTimeout("00:15:00")]
    Task<IdempotentReply> RunAsync(string fingerprint, GenerationJob job, bool bypassCache, CancellationToken cancellationToken);

    /// <summary>Forgets the stored answer when it is made of exactly <paramref name="images"/> (gone from the store), so the key runs afresh.</summary>
    Task ForgetAsync(IReadOnlyList<string> images);
}
