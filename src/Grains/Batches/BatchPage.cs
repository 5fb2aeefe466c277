namespace ImageOrleans.Grains.Batches;

/// <summary>One page of a key's batch ids, newest first.</summary>
[GenerateSerializer, Immutable, Alias("io.BatchPage")]
public sealed record BatchPage
{
    [Id(0)] public required IReadOnlyList<string> BatchIds { get; init; }
    [Id(1)] public bool HasMore { get; init; }
}
