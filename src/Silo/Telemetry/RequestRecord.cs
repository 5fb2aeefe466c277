using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Silo.Pipeline;

namespace ImageOrleans.Silo.Telemetry;

/// <summary>
/// What the front door learned about one generation request, filled in as it goes and written as one
/// log line and a few metric points when the response completes. Carries no prompt and no key.
/// </summary>
public sealed class RequestRecord
{
    public string? Model { get; set; }

    public RequestPriority? Priority { get; set; }

    public string? ErrorCode { get; set; }

    public CacheStatus? Cache { get; private set; }

    public TimeSpan QueueWait { get; private set; }

    public string? AccountId { get; private set; }

    public decimal CostUsd { get; private set; }

    /// <summary>Takes how the generation pipeline ended: model, priority, cache outcome, wait, account and cost.</summary>
    public void Completed(GenerationOutcome outcome)
    {
        Model = outcome.Request?.Model ?? Model;
        Priority = outcome.Priority ?? Priority;
        Cache = outcome.Cache;
        QueueWait = outcome.QueueWait;
        AccountId = outcome.Result?.AccountId;
        CostUsd = outcome.Result?.CostUsd ?? 0m;
        ErrorCode = outcome.Error is { } error ? error.Code ?? error.Type : ErrorCode;
    }
}
