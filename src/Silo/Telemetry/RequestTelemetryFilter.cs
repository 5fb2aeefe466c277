using System.Diagnostics;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Silo.Auth;

namespace ImageOrleans.Silo.Telemetry;

/// <summary>
/// Around the generation endpoint: gives the handler a <see cref="RequestRecord"/> to fill in and,
/// when the response has been sent, writes the request's log line, metrics and recent-error count.
/// </summary>
public sealed class RequestTelemetryFilter(ImageOrleansMetrics metrics, RecentErrors recent, TimeProvider time, ILoggerFactory loggers) : IEndpointFilter
{
    private readonly ILogger _logger = loggers.CreateLogger(RequestLog.Category);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var record = new RequestRecord();
        var started = time.GetTimestamp();
        http.Features.Set(record);
        http.Response.OnCompleted(() =>
        {
            Complete(http, record, time.GetElapsedTime(started));
            return Task.CompletedTask;
        });
        var span = Activity.Current;
        var result = await next(context);
        if (span is { IsAllDataRequested: true })
        {
            // The HTTP server span of the request, in GenAI terms where they apply.
            span.SetTag("gen_ai.operation.name", "generate_image");
            span.SetTag("gen_ai.request.model", record.Model);
            span.SetTag("gen_ai.response.model", record.AccountId is null ? null : record.Model);
            span.SetTag("imageorleans.request.id", http.TraceIdentifier);
            span.SetTag("imageorleans.key.id", http.TryGetClient()?.KeyId);
            span.SetTag("imageorleans.priority", record.Priority?.ToString().ToLowerInvariant());
            span.SetTag("imageorleans.cache", record.Cache?.ToString().ToLowerInvariant());
            span.SetTag("imageorleans.queue.wait_ms", (long)record.QueueWait.TotalMilliseconds);
            span.SetTag("imageorleans.account.id", record.AccountId);
            span.SetTag("imageorleans.cost_usd", (double)record.CostUsd);
            span.SetTag("error.type", record.ErrorCode);
        }

        return result;
    }

    private void Complete(HttpContext http, RequestRecord record, TimeSpan elapsed) =>
        Record(http.TraceIdentifier, http.TryGetClient()?.KeyId, record, http.Response.StatusCode, elapsed);

    /// <summary>Writes one request's log line, metrics and recent-error count; also used by the gRPC front door.</summary>
    public void Record(string requestId, string? keyId, RequestRecord record, int status, TimeSpan elapsed)
    {
        var error = record.ErrorCode ?? (status >= 400 ? "http_" + status : null);
        var cache = record.Cache?.ToString().ToLowerInvariant();
        var model = record.Model ?? "unknown";
        var priority = record.Priority?.ToString().ToLowerInvariant() ?? "unknown";
        metrics.Answered(status, error, model, priority, cache ?? "none", elapsed);
        if (record.Cache is not null)
        {
            metrics.Served(cache!, priority, record.QueueWait);
        }

        recent.Record(error, cache, priority, record.QueueWait);

        // What the request spent after the queue went to the upstream (and the store), when one was called.
        var upstream = record.AccountId is null || record.Cache is Grains.Dispatch.CacheStatus.Hit or Grains.Dispatch.CacheStatus.Coalesced
            ? 0
            : Math.Max(0, (long)(elapsed - record.QueueWait).TotalMilliseconds);
        RequestLog.Completed(_logger, requestId, keyId, record.Model, status, error, cache,
            (long)record.QueueWait.TotalMilliseconds, upstream, record.AccountId, record.CostUsd);
    }
}
