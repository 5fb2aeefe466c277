using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// The silo's certificate and its trust, loaded once at start-up from the configured file or store.
/// Everything that would only fail at the first handshake fails here instead, naming the setting.
/// </summary>
public sealed class SiloTls
{
    private const string Section = SiloTlsOptions.Section;
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private SiloTls(X509Certificate2 certificate, SiloCertificateValidator validator, string trust)
    {
        Certificate = certificate;
        Validator = validator;
        Trust = trust;
    }

    /// <summary>This silo's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Decides which peer certificates are accepted.</summary>
    public SiloCertificateValidator Validator { get; }

    /// <summary>The trust in words, for the start-up log.</summary>
    public string Trust { get; }

    /// <summary>Loads and checks the certificate and trust; throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static SiloTls Load(SiloTlsOptions options, TimeProvider time)
    {
        var problems = options.Problems().ToList();
        if (problems.Count == 0 && !options.IsOn)
        {
            throw new InvalidOperationException($"{Section} is off; there is nothing to load.");
        }

        X509Certificate2? certificate = null;
        if (problems.Count == 0)
        {
            certificate = string.IsNullOrWhiteSpace(options.Certificate.Path)
                ? FromStore(options.Certificate, problems)
                : FromFile(options.Certificate, problems);
        }

        if (certificate is not null)
        {
            CheckUsable(certificate, string.IsNullOrWhiteSpace(options.Certificate.Path) ? StoreSetting(options.Certificate) : $"{Section}:Certificate:Path", time, problems);
        }

        var roots = Roots(options.Trust, problems);
        if (problems.Count > 0 || certificate is null)
        {
            throw new OptionsValidationException(nameof(SiloTlsOptions), typeof(SiloTlsOptions), problems);
        }

        // Without trust settings a silo trusts exactly its own certificate: one certificate shared by all silos.
        var ownOnly = options.Trust.Thumbprints.Count == 0 && roots.Count == 0;
        List<string> pinned = ownOnly ? [certificate.GetCertHashString(HashAlgorithmName.SHA256)] : options.Trust.Thumbprints;
        var trust = ownOnly
            ? "only this certificate"
            : $"{roots.Count} root certificate(s) from {Section}:Trust:CertificatesPath, {pinned.Count} pinned thumbprint(s)";
        return new SiloTls(certificate, new SiloCertificateValidator(roots, pinned, options.Trust.CheckRevocation, time), trust);
    }

    private static X509Certificate2? FromFile(SiloTlsOptions.CertificateOptions options, List<string> problems)
    {
        var path = options.Path!;
        if (!File.Exists(path))
        {
            problems.Add($"{Section}:Certificate:Path: the file '{path}' does not exist.");
            return null;
        }

        if (!string.IsNullOrWhiteSpace(options.KeyPath) && !File.Exists(options.KeyPath))
        {
            problems.Add($"{Section}:Certificate:KeyPath: the file '{options.KeyPath}' does not exist.");
            return null;
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(options.KeyPath) || IsPem(path))
            {
                // PEM: the key sits in KeyPath, or in the same file after the certificate.
                var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath;
                return string.IsNullOrEmpty(options.Password)
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, keyPath);
            }

            return X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
        }
        catch (CryptographicException ex)
        {
            var setting = string.IsNullOrEmpty(options.Password) ? $"{Section}:Certificate:Path" : $"{Section}:Certificate:Path / :Password";
            problems.Add($"{setting}: '{path}' could not be read as a PFX, or as a PEM certificate with its private key (wrong password, or the key is missing?): {ex.Message}");
            return null;
        }
        catch (ArgumentException ex)
        {
            problems.Add($"{Section}:Certificate:Path: '{path}' holds no usable PEM certificate and key: {ex.Message}");
            return null;
        }
    }

    private static X509Certificate2? FromStore(SiloTlsOptions.CertificateOptions options, List<string> problems)
    {
        var location = Enum.Parse<StoreLocation>(options.StoreLocation, ignoreCase: true);
        using var store = new X509Store(options.StoreName, location);
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        }
        catch (CryptographicException)
        {
            // A store nobody has written to does not exist yet: then nothing matches.
            problems.Add($"{StoreSetting(options)}: no certificate matches '{options.Thumbprint ?? options.Subject}': the store {location}/{options.StoreName} does not exist.");
            return null;
        }

        var found = string.IsNullOrWhiteSpace(options.Thumbprint)
            ? store.Certificates.Find(X509FindType.FindBySubjectName, options.Subject!, validOnly: false)
            : store.Certificates.Find(X509FindType.FindByThumbprint, SiloCertificateValidator.NormalizeThumbprint(options.Thumbprint) ?? options.Thumbprint, validOnly: false);
        var candidates = found.Where(c => c.HasPrivateKey).OrderByDescending(c => c.NotAfter).ToList();
        if (candidates.Count == 0)
        {
            problems.Add($"{StoreSetting(options)}: no certificate with a private key matches '{options.Thumbprint ?? options.Subject}' in {location}/{options.StoreName}.");
            return null;
        }

        return candidates[0];
    }

    private static void CheckUsable(X509Certificate2 certificate, string setting, TimeProvider time, List<string> problems)
    {
        if (!certificate.HasPrivateKey)
        {
            problems.Add($"{setting}: the certificate {certificate.Subject} has no private key (give the key in the PFX, the PEM file or {Section}:Certificate:KeyPath).");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            problems.Add($"{setting}: the certificate {certificate.Subject} is valid only from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}.");
        }

        // A silo is both server (inbound) and client (outbound), so it needs both usages when it lists any.
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToList();
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any()
            && !(usages.Contains(ServerAuthentication) && usages.Contains(ClientAuthentication)))
        {
            problems.Add($"{setting}: the certificate {certificate.Subject} must allow both server and client authentication (extended key usages serverAuth and clientAuth).");
        }
    }

    private static X509Certificate2Collection Roots(SiloTlsOptions.TrustOptions trust, List<string> problems)
    {
        var roots = new X509Certificate2Collection();
        if (string.IsNullOrWhiteSpace(trust.CertificatesPath))
        {
            return roots;
        }

        var path = trust.CertificatesPath;
        if (!File.Exists(path))
        {
            problems.Add($"{Section}:Trust:CertificatesPath: the file '{path}' does not exist.");
            return roots;
        }

        try
        {
            if (IsPem(path))
            {
                roots.ImportFromPemFile(path);
            }
            else
            {
                roots.Add(X509CertificateLoader.LoadCertificateFromFile(path));
            }
        }
        catch (CryptographicException ex)
        {
            problems.Add($"{Section}:Trust:CertificatesPath: '{path}' could not be read as PEM or DER certificates: {ex.Message}");
        }

        if (roots.Count == 0 && problems.Count == 0)
        {
            problems.Add($"{Section}:Trust:CertificatesPath: '{path}' holds no certificate.");
        }

        return roots;
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var start = new char[256];
        var read = reader.ReadBlock(start);
        return new string(start, 0, read).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
    }

    private static string StoreSetting(SiloTlsOptions.CertificateOptions options) =>
        string.IsNullOrWhiteSpace(options.Thumbprint) ? $"{Section}:Certificate:Subject" : $"{Section}:Certificate:Thumbprint";
}
