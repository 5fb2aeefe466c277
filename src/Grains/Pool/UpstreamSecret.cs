using System.Text.Json.Serialization;
using ImageOrleans.Grains.Secrets;

namespace ImageOrleans.Grains.Pool;

/// <summary>
/// An upstream API key or a webhook secret. It is held either in clear (just given by configuration or
/// the admin API, in this process only) or sealed (an AES-GCM envelope, as grain state and other silos
/// always have it: <see cref="UpstreamSecretConverter"/> seals it whenever Orleans serializes it). Only
/// <see cref="SecretCipher.Reveal"/> gives the clear text. Its string form is always masked, so a secret
/// that reaches a log line, an exception or a status view shows as <c>sk-…abcd</c>.
/// </summary>
[Immutable, Alias("io.UpstreamSecret")]
public sealed class UpstreamSecret : IEquatable<UpstreamSecret>
{
    private readonly string? _plaintext;
    private readonly string? _envelope;

    /// <summary>A secret given in clear; sealed as soon as it is stored or leaves the process.</summary>
    public UpstreamSecret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _plaintext = value;
        Masked = Mask(value);
    }

    private UpstreamSecret(string envelope, string masked)
    {
        _envelope = envelope;
        Masked = masked;
    }

    public static UpstreamSecret Empty { get; } = new(string.Empty);

    public bool IsEmpty => _envelope is null && string.IsNullOrEmpty(_plaintext);

    /// <summary>True when this holds ciphertext only.</summary>
    [JsonIgnore]
    public bool IsSealed => _envelope is not null;

    /// <summary>The master key id the ciphertext is sealed under; null when held in clear.</summary>
    [JsonIgnore]
    public string? KeyId => _envelope is null ? null : SecretEnvelope.KeyIdOf(_envelope);

    /// <summary>At most the last 4 characters (and an <c>sk-</c> prefix): kept beside the ciphertext for views.</summary>
    public string Masked { get; }

    internal string? Plaintext => IsSealed || string.IsNullOrEmpty(_plaintext) ? null : _plaintext;

    /// <summary>The ciphertext envelope (<c>io1.{keyId}.…</c>); null when held in clear.</summary>
    [JsonIgnore]
    public string? Envelope => _envelope;

    /// <summary>A secret as stored: ciphertext only, with its masked hint.</summary>
    public static UpstreamSecret FromEnvelope(string envelope, string? masked) => new(envelope, masked ?? "…");

    public override string ToString() => Masked;

    /// <summary>Same clear text, or same ciphertext: a secret sealed again compares as changed.</summary>
    public bool Equals(UpstreamSecret? other) =>
        other is not null && string.Equals(_envelope, other._envelope, StringComparison.Ordinal)
                          && string.Equals(_plaintext, other._plaintext, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as UpstreamSecret);

    public override int GetHashCode() => HashCode.Combine(_envelope, _plaintext);

    public static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return "(none)";
        }

        var prefix = secret.StartsWith("sk-", StringComparison.Ordinal) ? "sk-" : string.Empty;
        return secret.Length <= 12 ? $"{prefix}…" : $"{prefix}…{secret[^4..]}";
    }
}
