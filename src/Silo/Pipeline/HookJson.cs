using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Pipeline;

/// <summary>The output hook's fixed JSON shapes, in snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HookRequest))]
[JsonSerializable(typeof(HookVerdict))]
internal sealed partial class HookJson : JsonSerializerContext;
