namespace ImageOrleans.Client.Batches;

/// <summary>Where a batch stands, as the CLI shows it.</summary>
public sealed record BatchState
{
    public required string Id { get; init; }
    public required string Status { get; init; }
    public int Total { get; init; }
    public int Completed { get; init; }
    public int Failed { get; init; }
    public int CacheHits { get; init; }
    public bool Paused { get; init; }
    public decimal SpentUsd { get; init; }
    public string? OutputFileId { get; init; }
    public string? ErrorFileId { get; init; }

    /// <summary>Why the gateway refused the input, one message per problem (each names its line).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    public int Done => Completed + Failed;

    public bool IsFinal => Status is "completed" or "failed" or "expired" or "cancelled";
}
