namespace ImageOrleans.Grains.Images;

/// <summary>An image in the store.</summary>
[GenerateSerializer, Immutable, Alias("io.StoredImage")]
public sealed record StoredImage
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string ContentType { get; init; }
    [Id(2)] public long Length { get; init; }
}
