namespace ImageOrleans.Grains.Batches;

/// <summary>How many items a batch has, and how many ended well or badly so far.</summary>
[GenerateSerializer, Immutable, Alias("io.BatchRequestCounts")]
public sealed record BatchRequestCounts
{
    [Id(0)] public int Total { get; init; }
    [Id(1)] public int Completed { get; init; }
    [Id(2)] public int Failed { get; init; }

    /// <summary>Items answered without an upstream generation of their own (cache hit or coalesced).</summary>
    [Id(3)] public int CacheHits { get; init; }

    /// <summary>What the completed items cost upstream (USD); cache hits and replays cost nothing.</summary>
    [Id(4)] public decimal SpentUsd { get; init; }
}
