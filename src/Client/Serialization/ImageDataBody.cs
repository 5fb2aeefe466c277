using System.Text.Json.Serialization;

namespace ImageOrleans.Client.Serialization;

/// <summary>One entry of <c>data</c> in an images response.</summary>
internal sealed class ImageDataBody
{
    // Spelled out because how a naming policy splits "B64" is not something to rely on.
    [JsonPropertyName("b64_json")]
    public string? B64Json { get; set; }

    public string? Url { get; set; }
    public string? RevisedPrompt { get; set; }
}
