using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// The upstream's token usage for one generation, read once when its answer is read: typed counts for
/// pricing and telemetry, and the usage object as clients see it (<see cref="Json"/>, passed on verbatim).
/// </summary>
[GenerateSerializer, Immutable, Alias("io.ImageUsage")]
public sealed record ImageUsage
{
    [Id(0), JsonPropertyName("input_tokens"), JsonConverter(typeof(TokenCountConverter))]
    public long? InputTokens { get; init; }

    [Id(1), JsonPropertyName("output_tokens"), JsonConverter(typeof(TokenCountConverter))]
    public long? OutputTokens { get; init; }

    [Id(2), JsonPropertyName("total_tokens"), JsonConverter(typeof(TokenCountConverter))]
    public long? TotalTokens { get; init; }

    [Id(3), JsonPropertyName("input_tokens_details"), JsonConverter(typeof(UsageDetailsConverter))]
    public UsageDetails? InputTokensDetails { get; init; }

    [Id(4), JsonPropertyName("output_tokens_details"), JsonConverter(typeof(UsageDetailsConverter))]
    public UsageDetails? OutputTokensDetails { get; init; }

    /// <summary>Cached input tokens reported beside the input details rather than inside them.</summary>
    [Id(5), JsonPropertyName("cached_tokens_details"), JsonConverter(typeof(UsageDetailsConverter))]
    public UsageDetails? CachedTokensDetails { get; init; }

    /// <summary>The usage object as UTF-8 JSON, exactly as clients receive it.</summary>
    [Id(6), JsonIgnore]
    public byte[] Json { get; init; } = [];

    /// <summary>
    /// The usage in <paramref name="json"/> (an object), or null when it is not an object or not JSON. A count
    /// of the wrong type reads as absent, a fraction or a huge one as out of range; the calculator judges them.
    /// </summary>
    public static ImageUsage? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, UsageJsonContext.Default.ImageUsage) is { } usage
                ? usage with { Json = json.ToArray() }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte})"/>
    public static ImageUsage? Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));
}
