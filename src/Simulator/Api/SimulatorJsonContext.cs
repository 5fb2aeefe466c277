using System.Text.Json.Serialization;

namespace ImageOrleans.Simulator.Api;

/// <summary>
/// Source-generated serialization for the OpenAI-facing bodies and the stats, in snake_case. Endpoints
/// pass these type infos explicitly so that a host embedding the simulator keeps its own JSON options.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ImageGenerationRequest))]
[JsonSerializable(typeof(ImageGenerationResponse))]
[JsonSerializable(typeof(ImageStreamEvent))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(SimulatorStatsSnapshot))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
