using System.Security.Cryptography.X509Certificates;
using ImageOrleans.Testing;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A gateway whose gRPC front door speaks TLS with a certificate from Kestrel's settings.</summary>
public sealed class GrpcTlsGatewayFixture : GatewayFixture
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("io-grpc-tls-").FullName;

    public static X509Certificate2 Certificate { get; } = TestCertificates.CreateSelfSigned("CN=localhost");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings
    {
        get
        {
            var (certificate, key) = TestCertificates.WritePem(Certificate, Folder, "grpc");
            return
            [
                .. base.Settings,
                new("ImageOrleans:Grpc:Url", "https://127.0.0.1:0"),
                new("ImageOrleans:Grpc:Kestrel:Certificates:Default:Path", certificate),
                new("ImageOrleans:Grpc:Kestrel:Certificates:Default:KeyPath", key),
            ];
        }
    }
}
