using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Silo.Admin;

namespace ImageOrleans.Silo.Telemetry;

public static class OperationsApi
{
    /// <summary><c>GET /admin/summary</c>: this silo's queue, and its recent cache outcomes, waits and errors.</summary>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/admin/summary", (CapacityScheduler scheduler, RecentErrors recent, TimeProvider time) =>
            {
                var snapshot = recent.Snapshot();
                var queue = Enum.GetValues<RequestPriority>().ToDictionary(p => p.ToString().ToLowerInvariant(), scheduler.WaitingAt);
                return Results.Json(new
                {
                    @object = "summary",
                    as_of = time.GetUtcNow(),
                    window_minutes = RecentErrors.Minutes,
                    queue,
                    waits = snapshot.Waits,
                    cache = snapshot.Cache,
                    errors = snapshot.Errors,
                }, AdminJson.Options);
            })
            .AddEndpointFilter<AdminAuthenticationFilter>()
            .WithTags("Admin: operations")
            .WithName("AdminSummary")
            .WithSummary("This silo's queue depth by priority and its last minutes of cache outcomes, queue waits and errors.");
        return routes;
    }
}
