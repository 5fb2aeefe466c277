using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Decides whether a peer's certificate (another silo, or a client at the gateway port) is trusted:
/// its thumbprint is pinned, or it chains to one of the configured roots. Peers are reached by address,
/// not by name, so the host name is not part of the decision; the configured trust is.
/// </summary>
public sealed class SiloCertificateValidator
{
    private readonly X509Certificate2Collection _roots;
    private readonly HashSet<string> _pinned;
    private readonly bool _checkRevocation;
    private readonly TimeProvider _time;

    public SiloCertificateValidator(IEnumerable<X509Certificate2> roots, IEnumerable<string> pinnedThumbprints, bool checkRevocation, TimeProvider time)
    {
        _roots = [.. roots];
        _pinned = new HashSet<string>(pinnedThumbprints.Select(t => NormalizeThumbprint(t) ?? throw new ArgumentException($"'{t}' is not a thumbprint.", nameof(pinnedThumbprints))), StringComparer.Ordinal);
        _checkRevocation = checkRevocation;
        _time = time;
    }

    /// <summary>True when <paramref name="certificate"/> is currently valid and pinned, or chains to a configured root.</summary>
    public bool IsTrusted(X509Certificate2 certificate, X509Chain? presented)
    {
        var now = _time.GetUtcNow();
        if (IsPinned(certificate))
        {
            return certificate.NotBefore.ToUniversalTime() <= now.UtcDateTime && now.UtcDateTime <= certificate.NotAfter.ToUniversalTime();
        }

        if (_roots.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.RevocationMode = _checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;

        // Intermediates the peer sent with its certificate; the roots still come only from our trust.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private bool IsPinned(X509Certificate2 certificate) =>
        _pinned.Count > 0
        && (_pinned.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA256)) || _pinned.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA1)));

    /// <summary>Upper-case hex without separators, or null when the text is not a SHA-256 or SHA-1 thumbprint.</summary>
    public static string? NormalizeThumbprint(string? thumbprint)
    {
        if (thumbprint is null)
        {
            return null;
        }

        var hex = new string([.. thumbprint.Where(c => c is not (':' or ' ' or '-'))]).ToUpper(CultureInfo.InvariantCulture);
        return hex.Length is 40 or 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }
}
