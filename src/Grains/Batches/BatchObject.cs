namespace ImageOrleans.Grains.Batches;

/// <summary>A batch as the Batches API shows it.</summary>
[GenerateSerializer, Immutable, Alias("io.BatchObject")]
public sealed record BatchObject
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required BatchSpec Spec { get; init; }
    [Id(2)] public BatchStatus Status { get; init; }
    [Id(3)] public BatchRequestCounts Counts { get; init; } = new();
    [Id(4)] public string? OutputFileId { get; init; }
    [Id(5)] public string? ErrorFileId { get; init; }
    [Id(6)] public IReadOnlyList<BatchError> Errors { get; init; } = [];
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
    [Id(8)] public DateTimeOffset ExpiresAt { get; init; }
    [Id(9)] public DateTimeOffset? InProgressAt { get; init; }
    [Id(10)] public DateTimeOffset? FinalizingAt { get; init; }
    [Id(11)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(12)] public DateTimeOffset? FailedAt { get; init; }
    [Id(13)] public DateTimeOffset? ExpiredAt { get; init; }
    [Id(14)] public DateTimeOffset? CancellingAt { get; init; }
    [Id(15)] public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>Waiting for budget: no new item starts until the key can pay again.</summary>
    [Id(16)] public bool Paused { get; init; }
}
