using System.Collections.Concurrent;
using Orleans.Storage;

namespace ImageOrleans.Grains.Tests.Infrastructure;

/// <summary>
/// Grain storage that fails on purpose: a test names a grain and how many of its next writes fail,
/// and those writes throw as a storage outage would. Everything else goes to the real storage.
/// </summary>
public sealed class FlakyGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private static readonly ConcurrentDictionary<GrainId, (int Count, bool AfterWriting)> FailingWrites = new();

    /// <summary>
    /// The next <paramref name="count"/> writes of <paramref name="grain"/> fail: before reaching storage,
    /// or, with <paramref name="afterWriting"/>, after the write succeeded (the answer is lost).
    /// </summary>
    public static void FailNextWrites(GrainId grain, int count, bool afterWriting = false) => FailingWrites[grain] = (count, afterWriting);

    /// <summary>Writes of <paramref name="grain"/> that are still set to fail.</summary>
    public static int PendingFailures(GrainId grain) => FailingWrites.TryGetValue(grain, out var failing) ? failing.Count : 0;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!FailingWrites.TryGetValue(grainId, out var failing) || failing.Count == 0)
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        FailingWrites[grainId] = (failing.Count - 1, failing.AfterWriting);
        if (failing.AfterWriting)
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        throw new InvalidOperationException($"Storage unavailable (injected) for {grainId}.");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
