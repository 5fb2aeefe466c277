using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ImageOrleans.Simulator.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ImageOrleans.Simulator.Api;

/// <summary>The control plane under /sim: counters, reset, keys and faults, mirroring <see cref="SimulatorServer"/>'s methods.</summary>
internal static class SimulatorAdminApi
{
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapSimulatorAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var sim = endpoints.MapGroup("/sim");

        sim.MapGet("/stats", (HttpContext context, [FromServices] SimulatorEngine engine) =>
                context.Response.WriteAsJsonAsync(engine.Stats.Snapshot(), SimulatorJsonContext.Default.SimulatorStatsSnapshot, contentType: null, context.RequestAborted))
            .WithName("ImageSimulator.Stats")
            .WithSummary("Counters, in total and per configured key.");

        sim.MapPost("/reset", ([FromServices] SimulatorEngine engine) =>
            {
                engine.Reset();
                return Results.NoContent();
            })
            .WithName("ImageSimulator.Reset")
            .WithSummary("Zeroes the counters and refills every key's buckets.");

        sim.MapPut("/keys/{key}", PutKeyAsync)
            .WithName("ImageSimulator.PutKey")
            .WithSummary("Adds a key or replaces its settings (camelCase SimulatedKey body).");

        sim.MapPut("/faults", PutFaultsAsync)
            .WithName("ImageSimulator.PutFaults")
            .WithSummary("Replaces the global fault rates (camelCase FaultOptions body).");

        return endpoints;
    }

    private static async Task PutKeyAsync(HttpContext context, string key, [FromServices] SimulatorEngine engine)
    {
        var body = await ReadAsync(context, AdminJsonContext.Default.SimulatedKey);
        if (body is null)
        {
            await OpenAiErrorResponder.WriteAsync(context, OpenAiErrors.InvalidControlRequest("The body must be a SimulatedKey JSON object."));
            return;
        }

        if (string.IsNullOrEmpty(body.Key))
        {
            body.Key = key;
        }
        else if (!string.Equals(body.Key, key, StringComparison.Ordinal))
        {
            await OpenAiErrorResponder.WriteAsync(context, OpenAiErrors.InvalidControlRequest("The key in the body does not match the key in the path."));
            return;
        }

        if (await TryApplyAsync(context, () => engine.UpsertKey(body)))
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
    }

    private static async Task PutFaultsAsync(HttpContext context, [FromServices] SimulatorEngine engine)
    {
        var body = await ReadAsync(context, AdminJsonContext.Default.FaultOptions);
        if (body is null)
        {
            await OpenAiErrorResponder.WriteAsync(context, OpenAiErrors.InvalidControlRequest("The body must be a FaultOptions JSON object."));
            return;
        }

        if (await TryApplyAsync(context, () => engine.SetFaults(body)))
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
    }

    private static async Task<bool> TryApplyAsync(HttpContext context, Action apply)
    {
        try
        {
            apply();
            return true;
        }
        catch (ArgumentException e)
        {
            await OpenAiErrorResponder.WriteAsync(context, OpenAiErrors.InvalidControlRequest(e.Message));
            return false;
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, context.RequestAborted);
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            return null;
        }
    }
}
