using System.Text.Json.Serialization;

namespace ImageOrleans.Simulator.Api;

/// <summary>The 200 body; the gpt-image fields are omitted for other models.</summary>
internal sealed class ImageGenerationResponse
{
    public required long Created { get; init; }

    public required IReadOnlyList<GeneratedImage> Data { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Background { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OutputFormat { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Quality { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Size { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImageUsage? Usage { get; init; }
}
