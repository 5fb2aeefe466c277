using ImageOrleans.Grains.Dispatch;

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

    /// <summary>Takes what the grains answered: cache outcome, wait, account and cost.</summary>
    public void Replied(GenerationReply reply)
    {
        Cache = reply.Cache;
        QueueWait = reply.QueueWait;
        AccountId = reply.Result?.AccountId;
        CostUsd = reply.Result?.CostUsd ?? 0m;
        ErrorCode = reply.Error is { } error ? error.Code ?? error.Type : ErrorCode;
    }
}
