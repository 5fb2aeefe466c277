namespace ImageOrleans.Grains.Dispatch;

/// <summary>A completed generation: images in the store, the upstream's usage, who served it.</summary>
[GenerateSerializer, Immutable, Alias("io.GenerationResult")]
public sealed record GenerationResult
{
    [Id(0)] public required long Created { get; init; }
    [Id(1)] public required IReadOnlyList<GeneratedImage> Images { get; init; }
    [Id(3)] public required string AccountId { get; init; }
    [Id(4)] public int Attempts { get; init; } = 1;

    /// <summary>What the generation cost upstream (USD); what a cache hit of it saves.</summary>
    [Id(5)] public decimal CostUsd { get; init; }

    /// <summary>What the upstream reports it produced (size, quality, background, format), when it does.</summary>
    [Id(6)] public Upstreams.ProducedSettings? Produced { get; init; }

    /// <summary>How <see cref="CostUsd"/> was reached: the usage breakdown, or which estimate stood in for it.</summary>
    [Id(7)] public string? CostBasis { get; init; }

    /// <summary>The upstream's token usage, typed; its <see cref="Upstreams.ImageUsage.Json"/> goes to clients as it came.</summary>
    /// <remarks>Id 2 held the usage as JSON text; it is not reused, so older stored answers read without usage.</remarks>
    [Id(8)] public Upstreams.ImageUsage? Usage { get; init; }
}
