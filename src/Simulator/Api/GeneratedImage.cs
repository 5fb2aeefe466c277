using System.Text.Json.Serialization;

namespace ImageOrleans.Simulator.Api;

/// <summary>One entry of the response's data array: either the PNG bytes (serialized as base64) or a URL.</summary>
internal sealed class GeneratedImage
{
    [JsonPropertyName("b64_json")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? B64Json { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RevisedPrompt { get; init; }
}
