using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ImageOrleans.Silo.Hosting;
using ImageOrleans.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Cluster.Tests;

/// <summary>Silo TLS settings fail at start-up naming the setting, and the trust accepts only what is configured.</summary>
public sealed class SiloTlsOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("io-tls-tests-").FullName;

    [Fact]
    public void The_production_profile_without_tls_settings_names_both_ways_out()
    {
        var cluster = RedisCluster(new SiloTlsOptions());

        var problem = Assert.Single(cluster.Problems());

        Assert.Contains("ImageOrleans:Cluster:Tls:Certificate:Path", problem, StringComparison.Ordinal);
        Assert.Contains("ImageOrleans:Cluster:Tls:Enabled=false", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_opt_out_or_the_embedded_profile_needs_no_certificate()
    {
        Assert.Empty(RedisCluster(new SiloTlsOptions { Enabled = false }).Problems());
        Assert.Empty(new ClusterProfileOptions { Mode = ClusterMode.Localhost }.Problems());
    }

    [Fact]
    public void Enabled_without_a_certificate_or_with_two_sources_is_refused()
    {
        var enabledOnly = Assert.Single(RedisCluster(new SiloTlsOptions { Enabled = true }).Problems());
        var both = Assert.Single(RedisCluster(new SiloTlsOptions { Certificate = { Path = "silo.pfx", Thumbprint = new string('A', 40) } }).Problems());

        Assert.Contains("ImageOrleans:Cluster:Tls:Enabled is true", enabledOnly, StringComparison.Ordinal);
        Assert.Contains("either ImageOrleans:Cluster:Tls:Certificate:Path or", both, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_pinned_thumbprint_is_named_by_its_index()
    {
        var options = new SiloTlsOptions { Certificate = { Path = "silo.pfx" }, Trust = { Thumbprints = [new string('a', 64), "not-a-thumbprint"] } };

        var problem = Assert.Single(options.Problems());

        Assert.StartsWith("ImageOrleans:Cluster:Tls:Trust:Thumbprints:1 ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_certificate_file_fails_naming_the_path_setting()
    {
        var missing = Path.Combine(_folder, "nowhere.pfx");

        var error = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(new SiloTlsOptions { Certificate = { Path = missing } }, TimeProvider.System));

        Assert.Contains($"ImageOrleans:Cluster:Tls:Certificate:Path: the file '{missing}' does not exist.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_pfx_password_fails_naming_the_password_setting()
    {
        using var certificate = TestCertificates.CreateSelfSigned("wrong-password");
        var path = TestCertificates.WritePfx(certificate, _folder, "silo", "right-password");

        var error = Assert.Throws<OptionsValidationException>(() =>
            SiloTls.Load(new SiloTlsOptions { Certificate = { Path = path, Password = "wrong-password" } }, TimeProvider.System));

        Assert.Contains("ImageOrleans:Cluster:Tls:Certificate:Path / :Password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error.Message.Replace("CN=wrong-password", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pem_certificate_loads_with_its_key_file_and_fails_without_it()
    {
        using var certificate = TestCertificates.CreateSelfSigned("pem-silo");
        var (certificatePath, keyPath) = TestCertificates.WritePem(certificate, _folder, "silo");

        var loaded = SiloTls.Load(new SiloTlsOptions { Certificate = { Path = certificatePath, KeyPath = keyPath } }, TimeProvider.System);
        var error = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(new SiloTlsOptions { Certificate = { Path = certificatePath } }, TimeProvider.System));

        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.Contains("ImageOrleans:Cluster:Tls:Certificate:Path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_or_one_only_for_servers_is_refused_at_start_up()
    {
        var now = DateTimeOffset.UtcNow;
        using var expired = TestCertificates.CreateSelfSigned("expired", now.AddDays(-30), now.AddDays(-1));
        using var serverOnly = TestCertificates.CreateSelfSigned("server-only", serverAndClient: false);

        var expiredError = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(Pfx(expired, "expired"), TimeProvider.System));
        var serverOnlyError = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(Pfx(serverOnly, "server-only"), TimeProvider.System));

        Assert.Contains("ImageOrleans:Cluster:Tls:Certificate:Path: the certificate CN=expired is valid only from", expiredError.Message, StringComparison.Ordinal);
        Assert.Contains("must allow both server and client authentication", serverOnlyError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_thumbprint_missing_from_the_store_fails_naming_the_thumbprint_setting()
    {
        var thumbprint = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));

        var error = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(new SiloTlsOptions { Certificate = { Thumbprint = thumbprint } }, TimeProvider.System));

        Assert.Contains("ImageOrleans:Cluster:Tls:Certificate:Thumbprint", error.Message, StringComparison.Ordinal);
        Assert.Contains(thumbprint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_in_the_store_loads_by_thumbprint_and_by_subject()
    {
        using var created = TestCertificates.CreateSelfSigned("imageorleans-store-" + Guid.NewGuid().ToString("N")[..8]);
        using var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.PersistKeySet | X509KeyStorageFlags.Exportable);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(certificate);
        try
        {
            var byThumbprint = SiloTls.Load(new SiloTlsOptions { Certificate = { Thumbprint = certificate.Thumbprint.ToLowerInvariant() } }, TimeProvider.System);
            var bySubject = SiloTls.Load(new SiloTlsOptions { Certificate = { Subject = certificate.GetNameInfo(X509NameType.SimpleName, false) } }, TimeProvider.System);

            Assert.Equal(certificate.Thumbprint, byThumbprint.Certificate.Thumbprint);
            Assert.Equal(certificate.Thumbprint, bySubject.Certificate.Thumbprint);
            Assert.True(byThumbprint.Certificate.HasPrivateKey);
        }
        finally
        {
            store.Remove(certificate);
        }
    }

    [Fact]
    public void A_missing_trust_file_fails_naming_the_trust_setting()
    {
        using var certificate = TestCertificates.CreateSelfSigned("trust-missing");
        var options = Pfx(certificate, "trust-missing");
        options.Trust.CertificatesPath = Path.Combine(_folder, "no-ca.pem");

        var error = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(options, TimeProvider.System));

        Assert.Contains("ImageOrleans:Cluster:Tls:Trust:CertificatesPath: the file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_trust_settings_a_silo_trusts_exactly_its_own_certificate()
    {
        using var own = TestCertificates.CreateSelfSigned("imageorleans-silo");
        using var stranger = TestCertificates.CreateSelfSigned("imageorleans-silo");

        var tls = SiloTls.Load(Pfx(own, "own"), TimeProvider.System);

        Assert.True(tls.Validator.IsTrusted(Public(own), null));
        Assert.False(tls.Validator.IsTrusted(Public(stranger), null), "a certificate with the same subject but another key is a stranger");
    }

    [Fact]
    public void A_configured_authority_admits_the_certificates_it_issued_and_nothing_else()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var authority = Authority("imageorleans-ca");
        using var otherAuthority = Authority("imageorleans-ca");
        using var issued = Issue(authority, "silo-a", clock.GetUtcNow());
        using var foreign = Issue(otherAuthority, "silo-a", clock.GetUtcNow());
        using var selfSigned = TestCertificates.CreateSelfSigned("silo-a");
        var caPath = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(caPath, authority.ExportCertificatePem());
        var options = Pfx(issued, "issued");
        options.Trust.CertificatesPath = caPath;

        var tls = SiloTls.Load(options, clock);

        Assert.True(tls.Validator.IsTrusted(Public(issued), null));
        Assert.False(tls.Validator.IsTrusted(Public(foreign), null), "issued by another authority with the same name");
        Assert.False(tls.Validator.IsTrusted(Public(selfSigned), null), "self-signed");
        clock.Advance(TimeSpan.FromDays(31));
        Assert.False(tls.Validator.IsTrusted(Public(issued), null), "expired");
    }

    [Fact]
    public void Pinned_thumbprints_admit_those_certificates_while_they_are_valid()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var own = TestCertificates.CreateSelfSigned("silo-own");
        using var peer = TestCertificates.CreateSelfSigned("silo-peer");
        var options = Pfx(own, "pinned");
        var sha256 = peer.GetCertHashString(HashAlgorithmName.SHA256);
        options.Trust.Thumbprints = [string.Join(':', sha256.Chunk(2).Select(c => new string(c))).ToLowerInvariant()];

        var tls = SiloTls.Load(options, clock);

        Assert.True(tls.Validator.IsTrusted(Public(peer), null));
        Assert.False(tls.Validator.IsTrusted(Public(own), null), "pinning replaces the default trust in the own certificate");
        clock.Advance(TimeSpan.FromDays(8));
        Assert.False(tls.Validator.IsTrusted(Public(peer), null), "expired");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ClusterProfileOptions RedisCluster(SiloTlsOptions tls) => new()
    {
        Mode = ClusterMode.Redis,
        Redis = { ConnectionString = "127.0.0.1:6379" },
        PostgreSql = { ConnectionString = "Host=127.0.0.1" },
        Tls = tls,
    };

    private SiloTlsOptions Pfx(X509Certificate2 certificate, string name) =>
        new() { Certificate = { Path = TestCertificates.WritePfx(certificate, _folder, name, "test-password"), Password = "test-password" } };

    // What a peer presents: the certificate without its private key.
    private static X509Certificate2 Public(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(authority, now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }
}
