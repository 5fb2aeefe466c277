namespace ImageOrleans.Grains.Files;

/// <summary>A file as the Files API shows it, with the key that owns it.</summary>
[GenerateSerializer, Immutable, Alias("io.FileObject")]
public sealed record FileObject
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string KeyId { get; init; }
    [Id(2)] public required string Filename { get; init; }

    /// <summary><c>batch</c> for an upload, <c>batch_output</c> for a batch's output and error files.</summary>
    [Id(3)] public required string Purpose { get; init; }

    [Id(4)] public long Bytes { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public FileKind Kind { get; init; }

    /// <summary>The batch whose results the file holds; null for an upload.</summary>
    [Id(7)] public string? BatchId { get; init; }
}
