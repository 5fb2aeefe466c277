using System.Text.Json.Serialization;

namespace ImageOrleans.Client.Serialization;

/// <summary>The gateway's own fields of an output line.</summary>
internal sealed class BatchOutputGatewayBody
{
    public string? Model { get; set; }
    public bool Cached { get; set; }

    [JsonPropertyName("cost_usd")]
    public decimal CostUsd { get; set; }
}
