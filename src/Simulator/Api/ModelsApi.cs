using ImageOrleans.Simulator.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ImageOrleans.Simulator.Api;

/// <summary>GET /v1/models: the image models the calling key may use.</summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", ListModels)
            .WithName("ImageSimulator.ListModels")
            .WithSummary("Lists the image models; a key restricted to some models sees only those.");
        return endpoints;
    }

    private static Task ListModels(HttpContext context, [FromServices] SimulatorEngine engine)
    {
        context.Response.Headers["x-request-id"] = "req_" + Guid.NewGuid().ToString("N");
        var apiKey = ApiKeyReader.Read(context.Request, allowAzureHeader: false);
        if (apiKey is null)
        {
            return OpenAiErrorResponder.WriteAsync(context, OpenAiErrors.MissingApiKey() with { Counter = null });
        }

        var key = engine.FindKey(apiKey);
        if (key is null || key.Config.Revoked)
        {
            return OpenAiErrorResponder.WriteAsync(context, OpenAiErrors.IncorrectApiKey(KeyMask.Mask(apiKey)) with { Counter = null });
        }

        var models = key.Config.Models is { Count: > 0 } restricted
            ? restricted.Select(id => new ModelInfo(id, ModelCatalog.CreatedOf(id))).ToList()
            : ModelCatalog.All;
        return context.Response.WriteAsJsonAsync(new ModelList(models), SimulatorJsonContext.Default.ModelList, contentType: null, context.RequestAborted);
    }
}
