namespace ImageOrleans.Simulator;

/// <summary>The delay added to every admitted request, drawn from a distribution.</summary>
public sealed class LatencyOptions
{
    public const string Fixed = "fixed";
    public const string Uniform = "uniform";
    public const string LogNormal = "lognormal";

    /// <summary>"fixed" (always <see cref="MedianMs"/>), "uniform" (<see cref="MinMs"/>..<see cref="MaxMs"/>) or "lognormal".</summary>
    public string Distribution { get; set; } = Fixed;

    /// <summary>The fixed delay, or the median of the lognormal distribution.</summary>
    public double MedianMs { get; set; }

    /// <summary>Lower bound of the uniform distribution.</summary>
    public double MinMs { get; set; }

    /// <summary>Upper bound of the uniform distribution; when positive, also caps lognormal draws.</summary>
    public double MaxMs { get; set; }

    /// <summary>Shape of the lognormal distribution (the standard deviation of the underlying normal).</summary>
    public double Sigma { get; set; } = 0.5;
}
