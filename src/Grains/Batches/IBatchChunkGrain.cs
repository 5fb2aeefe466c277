namespace ImageOrleans.Grains.Batches;

/// <summary>The stored results of one chunk of a batch's items (keyed "batch id/chunk number").</summary>
public interface IBatchChunkGrain : IGrainWithStringKey
{
    Task SaveAsync(IReadOnlyList<BatchItemOutcome> outcomes);

    [ReadOnly]
    Task<IReadOnlyList<BatchItemOutcome>> GetAsync();
}
