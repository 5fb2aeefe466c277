using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ImageOrleans.Testing;

/// <summary>Self-signed certificates for silo TLS in tests and benchmarks, made with <see cref="CertificateRequest"/>.</summary>
public static class TestCertificates
{
    /// <summary>A self-signed certificate fit for a silo: server and client authentication, valid around now.</summary>
    public static X509Certificate2 CreateSelfSigned(string subject, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool serverAndClient = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") };
        if (serverAndClient)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddDays(7));
    }

    /// <summary>Writes <paramref name="certificate"/> with its key as a password-protected PFX file; returns the path.</summary>
    public static string WritePfx(X509Certificate2 certificate, string folder, string name, string password)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    /// <summary>Writes the certificate and its unencrypted key as PEM files; returns both paths.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string folder, string name)
    {
        Directory.CreateDirectory(folder);
        var certificatePath = Path.Combine(folder, name + ".crt");
        var keyPath = Path.Combine(folder, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The certificate has no ECDSA key.");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>
    /// The settings that give a silo process <paramref name="certificate"/> from a PFX file under
    /// <paramref name="folder"/>, trusting only that certificate (so silos sharing it trust each other).
    /// </summary>
    public static Dictionary<string, string?> SiloSettings(X509Certificate2 certificate, string folder, string name)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        return new Dictionary<string, string?>
        {
            ["ImageOrleans:Cluster:Tls:Certificate:Path"] = WritePfx(certificate, folder, name, password),
            ["ImageOrleans:Cluster:Tls:Certificate:Password"] = password,
        };
    }
}
