using Grpc.Core;
using Grpc.Net.Client;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grpc.V1;
using ImageOrleans.Silo.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The gRPC front door over TLS (an https Url and a certificate in Kestrel's settings), as in production.</summary>
public sealed class GrpcTlsTests(GrpcTlsGatewayFixture gateway) : IClassFixture<GrpcTlsGatewayFixture>
{
    [Fact]
    public async Task An_https_url_serves_grpc_over_tls_with_the_configured_certificate()
    {
        var address = gateway.Services.GetRequiredService<GrpcFrontDoor>().Address!;
        byte[]? presented = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => (presented = certificate?.GetRawCertData()) is not null },
        };
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });

        var models = await new Images.ImagesClient(channel).ListModelsAsync(new ListModelsRequest(), new Metadata { { "authorization", $"Bearer {GatewayFactory.KeyA}" } });

        Assert.Equal("https", address.Scheme);
        Assert.NotEmpty(models.Data);
        Assert.Equal(GrpcTlsGatewayFixture.Certificate.RawData, presented);
    }
}
