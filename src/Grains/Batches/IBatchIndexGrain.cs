namespace ImageOrleans.Grains.Batches;

/// <summary>The batches of one client key (keyed by key id), for listing.</summary>
public interface IBatchIndexGrain : IGrainWithStringKey
{
    Task AddAsync(string batchId);

    /// <summary>Newest first, starting after <paramref name="after"/> (a cursor).</summary>
    [ReadOnly]
    Task<BatchPage> ListAsync(string? after, int limit);
}
