namespace ImageOrleans.Grains.Dispatch;

/// <summary>A generated image, by reference into the image store.</summary>
[GenerateSerializer, Immutable, Alias("io.GeneratedImage")]
public sealed record GeneratedImage
{
    [Id(0)] public required string ImageId { get; init; }
    [Id(1)] public string? RevisedPrompt { get; init; }
    [Id(2)] public required string ContentType { get; init; }
}
