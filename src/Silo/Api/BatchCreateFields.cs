using ImageOrleans.Grains.Batches;

namespace ImageOrleans.Silo.Api;

/// <summary>What a client asks for when it creates a batch, read from JSON (HTTP) or a message (gRPC).</summary>
public sealed record BatchCreateFields(
    string InputFileId, string Endpoint, string CompletionWindow, IReadOnlyDictionary<string, string>? Metadata, BatchTemplate? Template);
