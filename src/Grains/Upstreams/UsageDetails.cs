using System.Text.Json.Serialization;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>One breakdown of a usage's tokens (input or output details): text, image and cached counts.</summary>
[GenerateSerializer, Immutable, Alias("io.UsageDetails")]
public sealed record UsageDetails
{
    [Id(0), JsonPropertyName("text_tokens"), JsonConverter(typeof(TokenCountConverter))]
    public long? TextTokens { get; init; }

    [Id(1), JsonPropertyName("image_tokens"), JsonConverter(typeof(TokenCountConverter))]
    public long? ImageTokens { get; init; }

    /// <summary>Cached input tokens, undivided between text and image.</summary>
    [Id(2), JsonPropertyName("cached_tokens"), JsonConverter(typeof(TokenCountConverter))]
    public long? CachedTokens { get; init; }

    [Id(3), JsonPropertyName("cached_tokens_details"), JsonConverter(typeof(UsageDetailsConverter))]
    public UsageDetails? CachedTokensDetails { get; init; }
}
