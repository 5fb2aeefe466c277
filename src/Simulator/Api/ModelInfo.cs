using System.Text.Json.Serialization;

namespace ImageOrleans.Simulator.Api;

internal sealed record ModelInfo(
    [property: JsonPropertyOrder(0)] string Id,
    [property: JsonPropertyOrder(2)] long Created)
{
    [JsonPropertyOrder(1)]
    public string Object { get; } = "model";

    [JsonPropertyOrder(3)]
    public string OwnedBy { get; } = "simulator";
}
