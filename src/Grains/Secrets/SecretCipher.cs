using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Secrets;

/// <summary>
/// Seals secrets with AES-256-GCM under the active master key and opens them under the key id their
/// envelope names, so old ciphertext stays readable while the keys rotate. Revealing is for the point
/// where a secret goes on the wire (an upstream call, a webhook signature), nowhere else.
/// </summary>
public sealed partial class SecretCipher
{
    public const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Dictionary<string, byte[]> _keys;
    private readonly ILogger<SecretCipher> _logger;
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.OrdinalIgnoreCase);

    public SecretCipher(IOptions<SecretsOptions> options, ILogger<SecretCipher> logger)
    {
        var value = options.Value;
        _keys = value.Keys.ToDictionary(k => k.Key, k => DecodeKey(k.Value), StringComparer.OrdinalIgnoreCase);
        ActiveKeyId = value.ActiveKeyId is { } active && _keys.ContainsKey(active)
            ? active
            : throw new OptionsValidationException(nameof(SecretsOptions), typeof(SecretsOptions),
                [$"{SecretsOptions.SectionName}:ActiveKeyId must name a key of {SecretsOptions.SectionName}:Keys."]);
        _logger = logger;
    }

    /// <summary>The key id new ciphertext is sealed under.</summary>
    public string ActiveKeyId { get; }

    /// <summary>Seals a secret given in clear under the active key.</summary>
    public UpstreamSecret Seal(string plaintext)
    {
        if (plaintext.Length == 0)
        {
            return UpstreamSecret.Empty;
        }

        var header = SecretEnvelope.Header(ActiveKeyId);
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + TagSize + clear.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_keys[ActiveKeyId], TagSize))
        {
            aes.Encrypt(nonce, clear, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.ASCII.GetBytes(header));
        }

        CryptographicOperations.ZeroMemory(clear);
        return UpstreamSecret.FromEnvelope($"{header}.{Base64Url.EncodeToString(sealedBytes)}", UpstreamSecret.Mask(plaintext));
    }

    /// <summary>
    /// The secret sealed under the active key: one held in clear is sealed, one sealed under an older
    /// configured key is sealed again. One that cannot be opened is returned as it is (it stays
    /// unusable, and says so where it is used).
    /// </summary>
    public UpstreamSecret Seal(UpstreamSecret secret)
    {
        if (!NeedsSealing(secret))
        {
            return secret;
        }

        if (secret.Plaintext is { } clear)
        {
            return Seal(clear);
        }

        try
        {
            return Seal(Open(secret.Envelope!, "a stored secret"));
        }
        catch (SecretUnavailableException)
        {
            return secret;
        }
    }

    /// <summary>True for a secret held in clear and for one sealed under a configured key other than the active one.</summary>
    public bool NeedsSealing(UpstreamSecret secret)
    {
        if (secret.IsEmpty)
        {
            return false;
        }

        var keyId = secret.KeyId;
        return secret.Plaintext is not null
            || keyId is not null && !string.Equals(keyId, ActiveKeyId, StringComparison.OrdinalIgnoreCase) && _keys.ContainsKey(keyId);
    }

    /// <summary>
    /// The secret in clear, for the call that puts it on the wire. <paramref name="owner"/> says whose
    /// secret it is ("upstream account 'a1'") for the error and the log event if it cannot be opened.
    /// </summary>
    /// <exception cref="SecretUnavailableException">The key id is not configured or the ciphertext does not verify.</exception>
    public string Reveal(UpstreamSecret secret, string owner)
    {
        if (secret.Plaintext is { } clear)
        {
            return clear;
        }

        return secret.Envelope is { } envelope ? Open(envelope, owner) : string.Empty;
    }

    private string Open(string envelope, string owner)
    {
        var keyId = SecretEnvelope.KeyIdOf(envelope);
        if (keyId is null)
        {
            LogUnreadable(_logger, owner, "(none)", "not an envelope of this gateway");
            throw new SecretUnavailableException($"The stored secret of {owner} is not a sealed envelope this gateway can read.");
        }

        if (!_keys.TryGetValue(keyId, out var key))
        {
            LogUnreadable(_logger, owner, keyId, "the key id is not configured");
            throw new SecretUnavailableException(
                $"The secret of {owner} is sealed under key id '{keyId}', which is not configured ({SecretsOptions.SectionName}:Keys:{keyId}).", keyId);
        }

        try
        {
            var sealedBytes = Base64Url.DecodeFromChars(envelope.AsSpan(envelope.LastIndexOf('.') + 1));
            if (sealedBytes.Length < NonceSize + TagSize)
            {
                throw new CryptographicException("too short");
            }

            var clear = new byte[sealedBytes.Length - NonceSize - TagSize];
            using (var aes = new AesGcm(key, TagSize))
            {
                aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), clear,
                    Encoding.ASCII.GetBytes(SecretEnvelope.Header(keyId)));
            }

            if (!string.Equals(keyId, ActiveKeyId, StringComparison.OrdinalIgnoreCase) && _reported.TryAdd(keyId, true))
            {
                LogRetiredKeyInUse(_logger, keyId, ActiveKeyId);
            }

            var text = Encoding.UTF8.GetString(clear);
            CryptographicOperations.ZeroMemory(clear);
            return text;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            LogUnreadable(_logger, owner, keyId, "the ciphertext does not verify under this key");
            throw new SecretUnavailableException(
                $"The secret of {owner} does not verify under key id '{keyId}': the configured key for that id is not the one it was sealed with, or the ciphertext is damaged.", keyId);
        }
    }

    private static byte[] DecodeKey(string value)
    {
        var text = value.Trim();
        var bytes = text.Contains('-', StringComparison.Ordinal) || text.Contains('_', StringComparison.Ordinal)
            ? Base64Url.DecodeFromChars(text)
            : Convert.FromBase64String(text);
        return bytes.Length == KeySize
            ? bytes
            : throw new OptionsValidationException(nameof(SecretsOptions), typeof(SecretsOptions), [$"A key of {SecretsOptions.SectionName}:Keys is not 32 bytes."]);
    }

    [LoggerMessage(EventId = 2701, Level = LogLevel.Error,
        Message = "The secret of {Owner} cannot be decrypted under key id {KeyId}: {Reason}. It stays unusable until the key is configured again or the secret is set again")]
    private static partial void LogUnreadable(ILogger logger, string owner, string keyId, string reason);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Information,
        Message = "A secret sealed under key id {KeyId} (not the active key {ActiveKeyId}) was read; it is encrypted under the active key on its next write")]
    private static partial void LogRetiredKeyInUse(ILogger logger, string keyId, string activeKeyId);
}
