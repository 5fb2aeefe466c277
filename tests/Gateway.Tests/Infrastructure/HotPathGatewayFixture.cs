using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>The default gateway with every grain call it receives counted, for tests of what a request costs.</summary>
public sealed class HotPathGatewayFixture : GatewayFixture
{
    public GrainCallCounter Calls { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IIncomingGrainCallFilter>(Calls));
    }
}
