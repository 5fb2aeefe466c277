namespace ImageOrleans.Silo.Telemetry;

/// <summary>Settings of <c>ImageOrleans:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>How often the account gauges are read from the account grains.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Serve the Prometheus scrape at <c>/metrics</c> (behind the admin key).</summary>
    public bool Prometheus { get; set; } = true;
}
