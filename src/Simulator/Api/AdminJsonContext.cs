using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageOrleans.Simulator.Api;

/// <summary>camelCase serialization of the control-plane bodies (PUT /sim/keys, PUT /sim/faults), matching configuration names.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SimulatedKey))]
[JsonSerializable(typeof(FaultOptions))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
