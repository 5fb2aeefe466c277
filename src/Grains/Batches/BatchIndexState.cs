namespace ImageOrleans.Grains.Batches;

/// <summary>A key's batch ids, oldest first.</summary>
[GenerateSerializer, Alias("io.BatchIndexState")]
public sealed class BatchIndexState
{
    [Id(0)] public List<string> BatchIds { get; set; } = [];
}
