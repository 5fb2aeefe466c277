using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Batches;

/// <summary>What the scorer hook receives: the prompt and a signed link to each candidate.</summary>
public sealed record ScorerRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("images")] IReadOnlyList<ScorerImage> Images);
