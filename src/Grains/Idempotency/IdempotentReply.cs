using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Idempotency;

/// <summary>An answer under an idempotency key, and whether it is the stored answer of an earlier attempt.</summary>
[GenerateSerializer, Immutable, Alias("io.IdempotentReply")]
public sealed record IdempotentReply
{
    [Id(0)] public required GenerationReply Reply { get; init; }
    [Id(1)] public bool Replayed { get; init; }
}
