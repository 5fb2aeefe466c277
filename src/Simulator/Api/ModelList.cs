using System.Text.Json.Serialization;

namespace ImageOrleans.Simulator.Api;

/// <summary>The body of GET /v1/models.</summary>
internal sealed record ModelList(IReadOnlyList<ModelInfo> Data)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; } = "list";
}
