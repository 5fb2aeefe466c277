namespace ImageOrleans.Grains.Batches;

/// <summary>One chunk's results.</summary>
[GenerateSerializer, Alias("io.BatchChunkState")]
public sealed class BatchChunkState
{
    [Id(0)] public List<BatchItemOutcome> Outcomes { get; set; } = [];
}
