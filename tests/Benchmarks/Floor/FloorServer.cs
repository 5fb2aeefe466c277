using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Benchmarks.Floor;

/// <summary>
/// The engine's floor: the thinnest ASP.NET Core + Orleans pass-through — HTTP endpoint → stateless worker
/// grain → one account grain → HttpClient → upstream, and nothing else (no keys, quotas, cache or storage).
/// What the gateway adds over it is what its own features cost.
/// </summary>
public sealed class FloorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FloorServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<FloorServer> StartAsync(Uri generations, string apiKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(new FloorUpstream(generations, apiKey));
        builder.UseOrleans(silo => silo.UseLocalhostClustering(
            InProcessGateway.FreePort(), InProcessGateway.FreePort(), null, "floor", "floor-" + Guid.NewGuid().ToString("N")[..8]));
        var app = builder.Build();
        app.MapPost("/v1/images/generations", async (HttpRequest request, IGrainFactory grains) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var answer = await grains.GetGrain<IFloorWorkerGrain>(0).GenerateAsync(body.ToArray());
            return Results.Bytes(answer, "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new FloorServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
