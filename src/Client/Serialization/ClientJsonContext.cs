using System.Text.Json.Serialization;
using ImageOrleans.Client.Batches;

namespace ImageOrleans.Client.Serialization;

/// <summary>Source-generated JSON for the wire types, in OpenAI's snake_case with absent fields left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageGenerationRequest))]
[JsonSerializable(typeof(ImagesResponseBody))]
[JsonSerializable(typeof(ModelListBody))]
[JsonSerializable(typeof(BatchBody))]
[JsonSerializable(typeof(BatchListBody))]
[JsonSerializable(typeof(FileBody))]
[JsonSerializable(typeof(BatchCreateBody))]
[JsonSerializable(typeof(BatchRequestLineBody))]
[JsonSerializable(typeof(BatchOutputLineBody))]
[JsonSerializable(typeof(ManifestEntry))]
[JsonSerializable(typeof(SubmittedBatch))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
