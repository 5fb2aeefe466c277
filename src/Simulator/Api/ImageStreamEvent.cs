using System.Text.Json.Serialization;

namespace ImageOrleans.Simulator.Api;

/// <summary>One Server-Sent Event of a streamed answer: a partial image, or a completed one with the usage.</summary>
internal sealed class ImageStreamEvent
{
    public required string Type { get; init; }

    public required byte[] B64Json { get; init; }

    public long CreatedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Size { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Quality { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Background { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OutputFormat { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PartialImageIndex { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImageUsage? Usage { get; init; }
}
