namespace ImageOrleans.Grains.Batches;

/// <summary>Why a batch's input file was refused, as OpenAI's <c>errors.data[]</c>: the line (1-based) and field when known.</summary>
[GenerateSerializer, Immutable, Alias("io.BatchError")]
public sealed record BatchError
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string Message { get; init; }
    [Id(2)] public string? Param { get; init; }
    [Id(3)] public int? Line { get; init; }
}
