namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Mutual TLS on the silo and gateway ports (section <c>ImageOrleans:Cluster:Tls</c>). In the production
/// profile a silo refuses to start without a certificate unless <see cref="Enabled"/> is explicitly false.
/// </summary>
public sealed class SiloTlsOptions
{
    public const string Section = "ImageOrleans:Cluster:Tls";

    /// <summary>Unset: on when a certificate is configured. <c>false</c> is the explicit opt-out of TLS.</summary>
    public bool? Enabled { get; set; }

    /// <summary>This silo's own certificate, presented to every peer (as server and as client).</summary>
    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>Which peer certificates are accepted; without any, a silo trusts exactly its own certificate.</summary>
    public TrustOptions Trust { get; set; } = new();

    /// <summary>How long a TLS handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when any certificate source is configured.</summary>
    public bool HasCertificate =>
        !string.IsNullOrWhiteSpace(Certificate.Path) || !string.IsNullOrWhiteSpace(Certificate.Thumbprint) || !string.IsNullOrWhiteSpace(Certificate.Subject);

    /// <summary>Whether the silo ports use TLS in the production profile.</summary>
    public bool IsOn => Enabled ?? HasCertificate;

    public sealed class CertificateOptions
    {
        /// <summary>A PKCS#12 (.pfx/.p12) file, or a PEM certificate (with its key inside or in <see cref="KeyPath"/>).</summary>
        public string? Path { get; set; }

        /// <summary>A PEM private key file beside a PEM <see cref="Path"/>.</summary>
        public string? KeyPath { get; set; }

        /// <summary>Password of the PKCS#12 file or of an encrypted PEM key. Secret: never logged.</summary>
        public string? Password { get; set; }

        /// <summary>SHA-1 thumbprint of a certificate in the store (the store's usual key).</summary>
        public string? Thumbprint { get; set; }

        /// <summary>Subject name of a certificate in the store; the valid one that expires last is taken.</summary>
        public string? Subject { get; set; }

        public string StoreName { get; set; } = "My";

        public string StoreLocation { get; set; } = "CurrentUser";
    }

    public sealed class TrustOptions
    {
        /// <summary>PEM (or DER) file of root certificates a peer must chain to: a CA, or self-signed silo certificates.</summary>
        public string? CertificatesPath { get; set; }

        /// <summary>Peer certificates accepted as they are, by SHA-256 (or SHA-1) thumbprint; colons and case are ignored.</summary>
        public List<string> Thumbprints { get; set; } = [];

        /// <summary>Check revocation (online, via the certificates' CRL/OCSP addresses) when chaining to <see cref="CertificatesPath"/>.</summary>
        public bool CheckRevocation { get; set; }
    }

    /// <summary>Setting-level problems (nothing read from disk), worded for the operator.</summary>
    public IEnumerable<string> Problems()
    {
        var fromFile = !string.IsNullOrWhiteSpace(Certificate.Path);
        var fromStore = !string.IsNullOrWhiteSpace(Certificate.Thumbprint) || !string.IsNullOrWhiteSpace(Certificate.Subject);
        if (Enabled is null && !HasCertificate)
        {
            yield return $"Silo and gateway ports would carry cluster traffic in clear: set {Section}:Certificate:Path (a PFX or PEM file) "
                + $"or {Section}:Certificate:Thumbprint / :Subject (certificate store), or opt out explicitly with {Section}:Enabled=false.";
            yield break;
        }

        if (Enabled is false)
        {
            yield break;
        }

        if (!HasCertificate)
        {
            yield return $"{Section}:Enabled is true but no certificate is configured: set {Section}:Certificate:Path or {Section}:Certificate:Thumbprint / :Subject.";
        }

        if (fromFile && fromStore)
        {
            yield return $"Set either {Section}:Certificate:Path or {Section}:Certificate:Thumbprint / :Subject, not both.";
        }

        if (!string.IsNullOrWhiteSpace(Certificate.Thumbprint) && !string.IsNullOrWhiteSpace(Certificate.Subject))
        {
            yield return $"Set either {Section}:Certificate:Thumbprint or {Section}:Certificate:Subject, not both.";
        }

        if (!string.IsNullOrWhiteSpace(Certificate.KeyPath) && !fromFile)
        {
            yield return $"{Section}:Certificate:KeyPath needs {Section}:Certificate:Path (the PEM certificate it belongs to).";
        }

        if (fromStore && !Enum.TryParse<System.Security.Cryptography.X509Certificates.StoreLocation>(Certificate.StoreLocation, ignoreCase: true, out _))
        {
            yield return $"{Section}:Certificate:StoreLocation must be CurrentUser or LocalMachine, not '{Certificate.StoreLocation}'.";
        }

        if (fromStore && string.IsNullOrWhiteSpace(Certificate.StoreName))
        {
            yield return $"{Section}:Certificate:StoreName must name a certificate store (e.g. My).";
        }

        for (var i = 0; i < Trust.Thumbprints.Count; i++)
        {
            if (SiloCertificateValidator.NormalizeThumbprint(Trust.Thumbprints[i]) is null)
            {
                yield return $"{Section}:Trust:Thumbprints:{i} must be a SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint.";
            }
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            yield return $"{Section}:HandshakeTimeout must be positive.";
        }
    }
}
