using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Batches;

/// <summary>How one item of a batch ended: its images (in the store) or its error.</summary>
[GenerateSerializer, Immutable, Alias("io.BatchItemOutcome")]
public sealed record BatchItemOutcome
{
    [Id(0)] public required int Index { get; init; }
    [Id(1)] public required string CustomId { get; init; }
    [Id(2)] public required string RequestId { get; init; }
    [Id(3)] public GenerationResult? Result { get; init; }

    /// <summary>The request as it ran (for the fields newer models echo).</summary>
    [Id(4)] public ImageRequest? Request { get; init; }

    /// <summary>The line asked for <c>b64_json</c>: the output line carries the bytes, not a link.</summary>
    [Id(5)] public bool Base64 { get; init; }

    [Id(6)] public GatewayError? Error { get; init; }
    [Id(7)] public CacheStatus? Cache { get; init; }

    /// <summary>
    /// The item never reached the pipeline (a bad line, the budget or the time ran out, the batch was
    /// cancelled): the error goes in the line's <c>error</c>, not in a response.
    /// </summary>
    [Id(8)] public bool NotRun { get; init; }

    /// <summary>With <c>best_of</c>: how many candidates were generated (all charged).</summary>
    [Id(9)] public int? Candidates { get; init; }

    /// <summary>With <c>best_of</c>: the scores of the images kept, in their order; null when the scorer failed.</summary>
    [Id(10)] public IReadOnlyList<double>? Scores { get; init; }

    /// <summary>With <c>best_of</c>: why the scorer gave no ranking, so the first candidates were kept.</summary>
    [Id(11)] public string? ScorerFailure { get; init; }

    /// <summary>
    /// The answer was stored under the item's idempotency key by an earlier run (one cut short by a crash):
    /// generated and charged then, once. Counted as generated, since the first run's cache status is not kept.
    /// </summary>
    [Id(12)] public bool Replayed { get; init; }

    /// <summary>Answered by the prompt cache (a hit or a coalesced wait) in this run: no generation of its own.</summary>
    public bool FromCache => !Replayed && Cache is CacheStatus.Hit or CacheStatus.Coalesced;

    public bool Succeeded => Result is not null;

    public static BatchItemOutcome Skipped(int index, string customId, string batchId, string code, string message) => new()
    {
        Index = index,
        CustomId = customId,
        RequestId = $"{batchId}-{index}",
        NotRun = true,
        Error = new GatewayError { Status = 400, Type = GatewayErrors.InvalidRequestType, Code = code, Message = message },
    };
}
