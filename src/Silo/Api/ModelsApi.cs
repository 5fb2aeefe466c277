using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Silo.Auth;

namespace ImageOrleans.Silo.Api;

public static class ModelsApi
{
    // Models have no creation date of their own here; a fixed one keeps answers stable.
    private const long Created = 1_700_000_000;

    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder routes)
    {
        var models = routes.MapGroup("/v1/models").WithTags("Models").AddEndpointFilter<ClientAuthenticationFilter>();

        models.MapGet("/", async (AccountDirectory directory) =>
            {
                var served = await directory.GetServedModelsAsync();
                return Results.Json(new
                {
                    @object = "list",
                    data = served.Order(StringComparer.Ordinal).Select(Describe).ToList(),
                });
            })
            .WithName("ListModels")
            .WithSummary("Lists the image models at least one enabled account of the pool serves.");

        models.MapGet("/{model}", async (string model, AccountDirectory directory) =>
            {
                var served = await directory.GetServedModelsAsync();
                var actual = served.FirstOrDefault(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase));
                return actual is not null
                    ? Results.Json(Describe(actual))
                    : OpenAIErrors.Result(GatewayErrors.ModelNotFound(model));
            })
            .WithName("RetrieveModel")
            .WithSummary("Describes one served model.");
        return routes;
    }

    private static object Describe(string id) => new { id, @object = "model", created = Created, owned_by = "imageorleans" };
}
