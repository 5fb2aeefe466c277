using ImageOrleans.Silo.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ImageOrleans.Silo.GrpcApi;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Tells a newcomer where the gateway listens and, when it generated one, the development key. Written
/// to the console only, never to the log pipeline, so the key does not travel to log collectors.
/// </summary>
public sealed class StartupBanner(
    IServer server,
    DevClientKey devKey,
    IOptions<FrontDoorOptions> frontDoor,
    IOptions<ClusterProfileOptions> cluster,
    IOptions<AdminOptions> admin,
    GrpcFrontDoor grpc,
    IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        Console.WriteLine();
        Console.WriteLine($"ImageOrleans gateway: {address}/v1");
        if (grpc.Address is { } grpcAddress)
        {
            Console.WriteLine($"gRPC (HTTP/2): {grpcAddress.GetLeftPart(UriPartial.Authority)}   (imageorleans.v1.Images, reflection on)");
        }

        if (frontDoor.Value.DashboardEnabled(cluster.Value.Mode))
        {
            Console.WriteLine(string.IsNullOrEmpty(admin.Value.Key) && string.IsNullOrEmpty(admin.Value.KeyHash)
                ? "Dashboard: set ImageOrleans__Admin__Key to open " + address + "/dashboard"
                : $"Dashboard: {address}/dashboard (the admin key is the password)");
        }

        if (devKey.Generated)
        {
            Console.WriteLine($"Development client key (kept in {devKey.StoredAt}):");
            Console.WriteLine($"  export OPENAI_API_KEY={devKey.Value}");
            Console.WriteLine($"  export OPENAI_BASE_URL={address}/v1");
        }

        Console.WriteLine();
    }
}
