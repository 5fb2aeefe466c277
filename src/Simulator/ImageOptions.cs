namespace ImageOrleans.Simulator;

/// <summary>Dimensions of the generated PNGs, whatever size the request asks for.</summary>
public sealed class ImageOptions
{
    // Small by default so that benchmarks measure the gateway rather than PNG encoding.
    public int Width { get; set; } = 64;

    public int Height { get; set; } = 64;

    /// <summary>Pause before each event of a streamed answer (<c>stream: true</c>), in milliseconds.</summary>
    public int StreamIntervalMs { get; set; } = 20;

    /// <summary>A prompt containing this fails a streamed answer after its first event (the connection is cut).</summary>
    public string FailMidStreamKeyword { get; set; } = "[fail-mid-stream]";
}
