using Orleans.Runtime;

namespace ImageOrleans.Silo.Api;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        // Liveness: the process answers HTTP.
        routes.MapGet("/healthz", () => Results.Text("ok")).WithName("Liveness").ExcludeFromDescription();

        // Readiness: this silo takes part in the cluster and can reach grains.
        routes.MapGet("/readyz", async (ISiloStatusOracle oracle, IGrainFactory grains, CancellationToken cancellationToken) =>
            {
                if (oracle.CurrentStatus != SiloStatus.Active)
                {
                    return Results.Text($"silo {oracle.CurrentStatus}", statusCode: StatusCodes.Status503ServiceUnavailable);
                }

                await grains.GetGrain<Grains.Pool.IPoolGrain>(0).GetSnapshotAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return Results.Text("ready");
            })
            .WithName("Readiness")
            .ExcludeFromDescription();
        return routes;
    }
}
