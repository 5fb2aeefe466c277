namespace ImageOrleans.Simulator;

/// <summary>Dimensions of the generated PNGs, whatever size the request asks for.</summary>
public sealed class ImageOptions
{
    // Small by default so that benchmarks measure the gateway rather than PNG encoding.
    public int Width { get; set; } = 64;

    public int Height { get; set; } = 64;
}
