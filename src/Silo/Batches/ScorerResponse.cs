using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Batches;

/// <summary>What the scorer answers: one score per candidate, in order, higher is better.</summary>
public sealed record ScorerResponse([property: JsonPropertyName("scores")] IReadOnlyList<double>? Scores);
