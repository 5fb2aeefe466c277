using System.Text.Json.Serialization;

namespace ImageOrleans.Client.Serialization;

/// <summary>Source-generated JSON for the wire types, in OpenAI's snake_case with absent fields left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageGenerationRequest))]
[JsonSerializable(typeof(ImagesResponseBody))]
[JsonSerializable(typeof(ModelListBody))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
