using System.Text.Json.Serialization;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Source-generated reading of the upstream's usage object into <see cref="ImageUsage"/>.</summary>
[JsonSerializable(typeof(ImageUsage))]
[JsonSerializable(typeof(UsageDetails))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
