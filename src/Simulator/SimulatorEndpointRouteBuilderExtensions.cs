using ImageOrleans.Simulator.Api;
using Microsoft.AspNetCore.Routing;

namespace ImageOrleans.Simulator;

/// <summary>Maps the image simulator's HTTP surface; pair with <see cref="SimulatorServiceCollectionExtensions.AddImageSimulator(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration, TimeProvider?)"/>.</summary>
public static class SimulatorEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps POST /v1/images/generations, POST /openai/deployments/{deployment}/images/generations,
    /// GET /v1/models, GET /sim/images/{id} and the /sim control plane (stats, reset, keys, faults).
    /// The control plane has no authentication: bind the simulator to loopback or a private network.
    /// </summary>
    public static IEndpointRouteBuilder MapImageSimulator(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapImagesApi();
        endpoints.MapModelsApi();
        endpoints.MapSimulatorAdminApi();
        return endpoints;
    }
}
