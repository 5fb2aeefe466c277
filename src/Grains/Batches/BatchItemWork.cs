using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Batches;

/// <summary>One batch item handed to the generation pipeline.</summary>
public sealed record BatchItemWork
{
    public required string BatchId { get; init; }
    public required string KeyId { get; init; }
    public required int Index { get; init; }
    public required string CustomId { get; init; }
    public required ImageRequestInput Input { get; init; }
    public RequestPriority Priority { get; init; } = RequestPriority.Low;

    /// <summary>Generate several candidates and keep the best, as a scorer ranks them.</summary>
    public BestOf? BestOf { get; init; }
}
