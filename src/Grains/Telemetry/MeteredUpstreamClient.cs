using System.Diagnostics;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Telemetry;

/// <summary>
/// Wraps an upstream client so that every attempt, whoever makes it, is one span (GenAI attributes,
/// no prompt) and one count by account, model and outcome.
/// </summary>
public sealed class MeteredUpstreamClient(IUpstreamClient inner, ImageOrleansMetrics metrics) : IUpstreamClient
{
    public async Task<UpstreamResult> GenerateAsync(UpstreamAccount account, ImageRequest request, CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.Source.StartActivity("upstream " + request.Model, ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "generate_image");
        activity?.SetTag("gen_ai.request.model", request.Model);
        activity?.SetTag("imageorleans.account.id", account.Id);
        activity?.SetTag("imageorleans.request.images", request.N);
        var result = await inner.GenerateAsync(account, request, cancellationToken);
        metrics.UpstreamAttempt(account.Id, request.Model, result);
        if (activity is not null)
        {
            activity.SetTag("gen_ai.response.model", request.Model);
            activity.SetTag("imageorleans.upstream.outcome", result.Kind.ToString());
            activity.SetTag("http.response.status_code", result.StatusCode);
            if (result.Kind != Accounts.OutcomeKind.Success)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Kind.ToString());
            }

            if (result.Usage is { } usage)
            {
                // Read once with the answer: no second parse of the usage here.
                activity.SetTag("gen_ai.usage.input_tokens", usage.InputTokens);
                activity.SetTag("gen_ai.usage.output_tokens", usage.OutputTokens);
            }
        }

        return result;
    }
}
