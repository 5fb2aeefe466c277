namespace ImageOrleans.Grains.Models;

/// <summary>Free-form W×H sizes (gpt-image-2 style): each edge a multiple, bounded edges, pixels and aspect ratio.</summary>
public sealed class FlexibleSizeRule
{
    public int Multiple { get; set; } = 16;
    public int MinEdge { get; set; } = 256;
    public int MaxEdge { get; set; } = 3840;
    public long MinPixels { get; set; } = 655_360;
    public long MaxPixels { get; set; } = 8_294_400;
    public double MaxAspectRatio { get; set; } = 3.0;
}
