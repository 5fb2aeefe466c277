using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Batches;

/// <summary>Source-generated JSON for the scorer hook's fixed shapes.</summary>
[JsonSerializable(typeof(ScorerRequest))]
[JsonSerializable(typeof(ScorerResponse))]
public sealed partial class ScorerJsonContext : JsonSerializerContext;
