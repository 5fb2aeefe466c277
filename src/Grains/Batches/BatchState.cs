namespace ImageOrleans.Grains.Batches;

/// <summary>A batch's persisted state: what it is, where it stands, and which chunks of results are stored.</summary>
[GenerateSerializer, Alias("io.BatchState")]
public sealed class BatchState
{
    [Id(0)] public BatchObject? Batch { get; set; }

    /// <summary>Chunks whose results are stored (in <see cref="IBatchChunkGrain"/>s); their items never run again.</summary>
    [Id(1)] public HashSet<int> StoredChunks { get; set; } = [];

    [Id(2)] public int ChunkSize { get; set; }
}
