using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Batches;

/// <summary>What the scorer hook receives: the prompt and a signed link to each candidate.</summary>
public sealed record ScorerRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("images")] IReadOnlyList<ScorerImage> Images);

/// <summary>One candidate for the scorer.</summary>
public sealed record ScorerImage(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("url")] string Url);

/// <summary>What the scorer answers: one score per candidate, in order, higher is better.</summary>
public sealed record ScorerResponse([property: JsonPropertyName("scores")] IReadOnlyList<double>? Scores);
