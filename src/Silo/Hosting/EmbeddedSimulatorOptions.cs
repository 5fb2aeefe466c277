namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// The simulator run inside the silo for the embedded default (section <c>ImageOrleans:Simulator</c>).
/// Latency, faults and image size are the simulator's own options in the same section.
/// </summary>
public sealed class EmbeddedSimulatorOptions
{
    /// <summary>Run the simulator in this process.</summary>
    public bool Embedded { get; set; } = true;

    /// <summary>Simulated accounts put in the pool when no account is configured.</summary>
    public int Accounts { get; set; } = 4;

    public int RequestsPerMinute { get; set; } = 10;
    public int ImagesPerMinute { get; set; } = 10;
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>The models the simulated accounts serve; empty for the catalogue's models in service today.</summary>
    public List<string> Models { get; set; } = [];
}
