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

    /// <summary>The line's body (without <c>best_of</c>/<c>best_k</c>), read by the runner as <see cref="Operation"/> asks: what is wrong in it is the item's own error.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>A generation, or a JSON edit (an edits batch).</summary>
    public ImageOperation Operation { get; init; } = ImageOperation.Generate;

    public RequestPriority Priority { get; init; } = RequestPriority.Low;

    /// <summary>Generate several candidates and keep the best, as a scorer ranks them.</summary>
    public BestOf? BestOf { get; init; }
}
