namespace ImageOrleans.Grains.Requests;

/// <summary>
/// A validated image generation request with the model's defaults filled in: what is sent upstream
/// and what the cache key is computed from. How the answer is delivered (URL or base64) is not part
/// of it, because that never changes the image.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.ImageRequest")]
public sealed record ImageRequest
{
    [Id(0)] public required string Model { get; init; }
    [Id(1)] public required string Prompt { get; init; }
    [Id(2)] public int N { get; init; } = 1;
    [Id(3)] public string? Size { get; init; }
    [Id(4)] public string? Quality { get; init; }
    [Id(5)] public string? Background { get; init; }
    [Id(6)] public string? OutputFormat { get; init; }
    [Id(7)] public int? OutputCompression { get; init; }
    [Id(8)] public string? Moderation { get; init; }
    [Id(9)] public string? Style { get; init; }
    [Id(10)] public string? User { get; init; }

    /// <summary>The upstream answers in base64 only and must not be sent <c>response_format</c>.</summary>
    [Id(11)] public bool AlwaysBase64 { get; init; }

    [Id(12)] public ImageOperation Operation { get; init; } = ImageOperation.Generate;

    /// <summary>The input images of an edit or variation, in the order the client sent them.</summary>
    [Id(13)] public IReadOnlyList<InputImage> Images { get; init; } = [];

    /// <summary>An edit's mask: a PNG with alpha, the size of the first image.</summary>
    [Id(14)] public InputImage? Mask { get; init; }

    [Id(15)] public string? InputFidelity { get; init; }

    /// <summary>Asked upstream as Server-Sent Events; never part of the cache key (the final image is the same).</summary>
    [Id(16)] public bool Stream { get; init; }

    [Id(17)] public int? PartialImages { get; init; }

    /// <summary>Where a streaming attempt relays its events on this silo (<see cref="Upstreams.StreamRelay"/>).</summary>
    [Id(18)] public string? StreamId { get; init; }
}
