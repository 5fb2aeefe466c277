namespace ImageOrleans.Silo.Telemetry;

/// <summary>Settings of <c>ImageOrleans:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Off: no OpenTelemetry at all (no /metrics, no OTLP, no traces); the request log line stays.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the account gauges are read from the account grains.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Collect traces; unset, they are collected when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
    public bool? Traces { get; set; }

    /// <summary>Serve the Prometheus scrape at <c>/metrics</c> (behind the admin key).</summary>
    public bool Prometheus { get; set; } = true;
}
