using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Batches;

/// <summary>What a client asked for when it created a batch, checked by the front door.</summary>
[GenerateSerializer, Immutable, Alias("io.BatchSpec")]
public sealed record BatchSpec
{
    [Id(0)] public required string KeyId { get; init; }
    [Id(1)] public required string Endpoint { get; init; }
    [Id(2)] public required string InputFileId { get; init; }
    [Id(3)] public string CompletionWindow { get; init; } = "24h";
    [Id(4)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The priority its items run at: low unless the key allows and the client asked for more.</summary>
    [Id(5)] public RequestPriority Priority { get; init; } = RequestPriority.Low;

    /// <summary>Pause (rather than fail the rest) when the key's budget runs out mid-batch.</summary>
    [Id(6)] public bool PauseOnBudget { get; init; }

    /// <summary>When set, <see cref="InputFileId"/> is the template's variables file (CSV or JSONL), not a JSONL of requests.</summary>
    [Id(7)] public BatchTemplate? Template { get; init; }
}
