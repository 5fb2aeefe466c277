using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Batches;

/// <summary>One candidate for the scorer.</summary>
public sealed record ScorerImage(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("url")] string Url);
