namespace ImageOrleans.Grains.Batches;

/// <summary>
/// A request body with <c>{placeholders}</c>, expanded once per row of the batch's variables file (its
/// <c>input_file_id</c>, CSV or JSONL). The body is kept as the client's JSON text: it is a template of a
/// request, any field of which may hold placeholders, so it has no fixed shape until it is expanded.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.BatchTemplate")]
public sealed record BatchTemplate
{
    [Id(0)] public required string BodyJson { get; init; }

    /// <summary>The column (or JSONL field) that gives each item its <c>custom_id</c>; null for <c>row-N</c>.</summary>
    [Id(1)] public string? CustomIdColumn { get; init; }
}
