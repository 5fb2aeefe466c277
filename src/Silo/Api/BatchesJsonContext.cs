using System.Text.Json.Serialization;

namespace ImageOrleans.Silo.Api;

/// <summary>Source-generated JSON for the fixed shapes of the Files and Batches APIs that are not written by hand.</summary>
[JsonSerializable(typeof(FileDeleted))]
public sealed partial class BatchesJsonContext : JsonSerializerContext;
