using System.Diagnostics;

namespace ImageOrleans.Grains.Telemetry;

/// <summary>The gateway's activity source ("ImageOrleans"): spans below the front door, never with prompt text.</summary>
public static class GatewayTelemetry
{
    public const string SourceName = "ImageOrleans";

    public static readonly ActivitySource Source = new(SourceName);
}
