using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Api;

/// <summary><c>{"id","object":"file","deleted":true}</c>.</summary>
public sealed record FileDeleted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Kind,
    [property: JsonPropertyName("deleted")] bool Deleted);
