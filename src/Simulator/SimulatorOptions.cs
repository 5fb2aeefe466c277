namespace ImageOrleans.Simulator;

/// <summary>Configuration of the simulated OpenAI Images upstream, bound from the "Simulator" section.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>The API keys the simulator accepts; any other key is answered with 401.</summary>
    public List<SimulatedKey> Keys { get; set; } = [];

    public LatencyOptions Latency { get; set; } = new();

    /// <summary>Faults for every key that does not carry its own <see cref="SimulatedKey.Faults"/>.</summary>
    public FaultOptions Faults { get; set; } = new();

    public ImageOptions Image { get; set; } = new();

    /// <summary>Seeds the random source behind faults and latency so that runs are reproducible.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>A prompt containing this text (case-insensitive) is refused as a content policy violation; empty disables the check.</summary>
    public string ContentPolicyKeyword { get; set; } = "forbidden-content";

    /// <summary>Whether responses carry OpenAI's x-ratelimit-* headers.</summary>
    public bool AdvertiseLimits { get; set; } = true;
}
