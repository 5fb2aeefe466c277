using System.Diagnostics;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Queueing;

namespace ImageOrleans.Grains.Telemetry;

/// <summary>
/// The gateway's activity source ("ImageOrleans") and its span names. Spans carry ids, models,
/// outcomes, waits and costs; never prompt text. Without a listener (no tracing configured) every
/// helper here costs one null check.
/// </summary>
public static class GatewayTelemetry
{
    public const string SourceName = "ImageOrleans";

    public const string Admission = "imageorleans.admission";
    public const string Cache = "imageorleans.cache";
    public const string Dispatch = "imageorleans.dispatch";
    public const string Lease = "imageorleans.lease";
    public const string Store = "imageorleans.store";
    public const string Settlement = "imageorleans.settlement";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Runs <paramref name="call"/> inside a span named <paramref name="name"/>.</summary>
    public static async Task<T> TraceAsync<T>(string name, Func<Task<T>> call)
    {
        using var activity = Source.StartActivity(name);
        return await call();
    }

    /// <summary>A span for waiting in the queue until an account grants a lease.</summary>
    public static Activity? StartLease(GenerationJob job)
    {
        var activity = Source.StartActivity(Lease);
        activity?.SetTag("imageorleans.priority", job.Priority.ToString().ToLowerInvariant());
        activity?.SetTag("gen_ai.request.model", job.Request.Model);
        return activity;
    }

    /// <summary>Records on the lease span which account granted it and how long the wait was.</summary>
    public static Acquisition Leased(Activity? activity, Acquisition acquisition)
    {
        if (activity is not null)
        {
            activity.SetTag("imageorleans.queue.wait_ms", (long)acquisition.Waited.TotalMilliseconds);
            activity.SetTag("imageorleans.account.id", acquisition.Account?.Id);
            if (acquisition.Error is { } error)
            {
                activity.SetTag("error.type", error.Code ?? error.Type);
                activity.SetStatus(ActivityStatusCode.Error, error.Code);
            }
        }

        return acquisition;
    }

    /// <summary>A span for settling a generation's money with its client key.</summary>
    public static Activity? StartSettlement(GenerationJob job, GenerationReply reply)
    {
        var activity = Source.StartActivity(Settlement);
        activity?.SetTag("imageorleans.key.id", job.ClientKeyId);
        activity?.SetTag("imageorleans.cost_usd", (double)(reply.Result?.CostUsd ?? 0m));
        return activity;
    }
}
