using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Maintenance;

namespace ImageOrleans.Grains.Caching;

/// <summary>
/// The cached answer for one canonical request of one tenant (keyed by <see cref="CacheKey"/>).
/// Identical requests that arrive while one is being generated wait for that one: one upstream call.
/// </summary>
public interface IPromptCacheGrain : IExpiringGrain
{
    [ResponseTimeout("00:15:00")]
    Task<GenerationReply> GetOrGenerateAsync(GenerationJob job, CancellationToken cancellationToken);

    /// <summary>The cached answer as a settled hit for <paramref name="job"/>, or null (nothing settled) when there is none: a streamed request's cache lookup.</summary>
    Task<GenerationReply?> GetCachedAsync(GenerationJob job);

    /// <summary>How many callers wait on the generation in flight (0 when none is).</summary>
    [ReadOnly]
    ValueTask<int> GetWaitingAsync();

    /// <summary>
    /// Forgets the cached answer (an operator purging a bad image); with <paramref name="ifImages"/>, only
    /// when the answer is made of exactly those images (gone from the store), not a newer one.
    /// </summary>
    ValueTask InvalidateAsync(IReadOnlyList<string>? ifImages = null);
}
