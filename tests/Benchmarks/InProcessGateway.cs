using System.Net;
using System.Net.Sockets;
using ImageOrleans.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Benchmarks;

/// <summary>The gateway started in this process exactly as its Program starts it, with the given settings.</summary>
public sealed class InProcessGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataPath;

    private InProcessGateway(WebApplication app, Uri address, string dataPath)
    {
        _app = app;
        Address = address;
        _dataPath = dataPath;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessGateway> StartAsync(IDictionary<string, string?> settings)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "io-bench-" + Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string?>(settings)
        {
            ["ImageOrleans:DataPath"] = dataPath,
            ["ImageOrleans:FrontDoor:Dashboard"] = "false",
            ["ImageOrleans:Cluster:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["ImageOrleans:Cluster:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ImageOrleans:Cluster:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ImageOrleans:Grpc:Url"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        Directory.CreateDirectory(dataPath);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataPath, Args = ImageOrleansArgs.WithDefaults(["--urls", "http://127.0.0.1:0"]) });
        builder.Configuration.AddInMemoryCollection(all);
        builder.AddImageOrleansSilo();
        var app = builder.Build();
        app.UseImageOrleansFrontDoor();
        app.MapImageOrleans();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new InProcessGateway(app, new Uri(address.TrimEnd('/') + "/"), dataPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
