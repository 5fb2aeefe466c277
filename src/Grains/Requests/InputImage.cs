namespace ImageOrleans.Grains.Requests;

/// <summary>
/// An uploaded input image (or mask) held in the <see cref="UploadStore"/> for the length of its request:
/// by reference, never by content, so a 20 MB file crosses no grain call and is read from disk on every
/// attempt. <see cref="Sha256"/> is what the cache key hashes.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.InputImage")]
public sealed record InputImage
{
    /// <summary>The file's name in the upload store (random, never the client's).</summary>
    [Id(0)] public required string FileId { get; init; }
    [Id(1)] public required string Sha256 { get; init; }

    /// <summary>The client's file name, sanitised; sent upstream as the part's file name.</summary>
    [Id(2)] public required string FileName { get; init; }
    [Id(3)] public required string ContentType { get; init; }
    [Id(4)] public long Length { get; init; }
    [Id(5)] public int Width { get; init; }
    [Id(6)] public int Height { get; init; }

    /// <summary>A PNG with an alpha channel (colour type 4 or 6, or a tRNS chunk).</summary>
    [Id(7)] public bool HasAlpha { get; init; }
}
