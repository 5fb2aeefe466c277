using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Idempotency;

/// <summary>What an idempotency key stands for: the request it was first used with, and its answer once it completed.</summary>
[GenerateSerializer, Alias("io.IdempotencyState")]
public sealed class IdempotencyState
{
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public GenerationReply? Reply { get; set; }
    [Id(2)] public DateTimeOffset CompletedAt { get; set; }
}
