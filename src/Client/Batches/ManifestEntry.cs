using System.Text.Json.Serialization;

namespace ImageOrleans.Client.Batches;

/// <summary>One image written by <c>batch download</c>: a line of <c>manifest.jsonl</c>.</summary>
public sealed class ManifestEntry
{
    [JsonPropertyName("custom_id")]
    public required string CustomId { get; init; }

    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("cost_usd")]
    public decimal CostUsd { get; init; }

    [JsonPropertyName("cached")]
    public bool Cached { get; init; }
}
