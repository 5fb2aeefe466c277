namespace ImageOrleans.Silo.Telemetry;

/// <summary>The one structured line per generation request.</summary>
public static partial class RequestLog
{
    public const string Category = "ImageOrleans.Requests";

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information,
        Message = "Request {RequestId} key {KeyId} model {Model} status {Status} error {ErrorCode} cache {Cache} queue {QueueWaitMs} ms upstream {UpstreamMs} ms account {AccountId} cost {CostUsd} USD")]
    public static partial void Completed(
        ILogger logger, string requestId, string? keyId, string? model, int status, string? errorCode, string? cache,
        long queueWaitMs, long upstreamMs, string? accountId, decimal costUsd);
}
