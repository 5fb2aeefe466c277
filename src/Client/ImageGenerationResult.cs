namespace ImageOrleans.Client;

/// <summary>The images the gateway generated, and what its headers said about the request.</summary>
public sealed class ImageGenerationResult
{
    public required DateTimeOffset Created { get; init; }
    public required IReadOnlyList<GeneratedImage> Images { get; init; }

    /// <summary>The <c>usage</c> object exactly as sent, since its fields differ between models.</summary>
    public string? UsageJson { get; init; }

    /// <summary>The <c>x-request-id</c> header: quote it when reporting a problem.</summary>
    public string? RequestId { get; init; }

    /// <summary>True when the gateway answered from its cache (<c>x-imageorleans-cache: hit</c>).</summary>
    public bool CacheHit { get; init; }
}
