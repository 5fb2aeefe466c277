using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.GrpcApi;

/// <summary>
/// gRPC-Web on the gateway's HTTP port: browsers cannot speak HTTP/2 gRPC, so the same
/// <see cref="ImagesGrpcService"/> answers <c>application/grpc-web</c> calls there, on the same pipeline.
/// </summary>
public static class GrpcWebExtensions
{
    private const string CorsPolicy = "grpc-web";

    public static IServiceCollection AddImageOrleansGrpcWeb(this IServiceCollection services, IConfiguration section)
    {
        var settings = section.Get<GrpcOptions>() ?? new GrpcOptions();
        if (!settings.Web)
        {
            return services;
        }

        services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = settings.MaxReceiveMessageBytes);
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins([.. settings.WebAllowedOrigins])
            .WithMethods("POST")
            .WithHeaders("authorization", "content-type", "x-grpc-web", "x-user-agent", "grpc-timeout",
                "x-imageorleans-priority", "x-imageorleans-timeout-ms", "idempotency-key", "cache-control")
            .WithExposedHeaders("grpc-status", "grpc-message", "grpc-status-details-bin")));
        return services;
    }

    public static WebApplication MapImageOrleansGrpcWeb(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<GrpcOptions>>().Value.Web)
        {
            return app;
        }

        app.UseCors();
        app.UseGrpcWeb();
        app.MapGrpcService<ImagesGrpcService>().EnableGrpcWeb().RequireCors(CorsPolicy);
        return app;
    }
}
