using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Grains.Secrets;

/// <summary>
/// Orleans serializes every <see cref="UpstreamSecret"/> (grain state in any storage, messages between
/// silos, pool snapshots) through here, and only ever as ciphertext: a secret still held in clear, or
/// one sealed under an older key, is sealed under the active key as it is written. That is also how
/// state from before encryption migrates: its clear field is read, and the next write encrypts it.
/// </summary>
[RegisterConverter]
public sealed class UpstreamSecretConverter(IServiceProvider services) : IConverter<UpstreamSecret, UpstreamSecretSurrogate>
{
    private SecretCipher? _cipher;

    public UpstreamSecret ConvertFromSurrogate(in UpstreamSecretSurrogate surrogate) =>
        surrogate.Envelope is { Length: > 0 } envelope ? UpstreamSecret.FromEnvelope(envelope, surrogate.Masked)
        : surrogate.Legacy is { Length: > 0 } legacy ? new UpstreamSecret(legacy)
        : UpstreamSecret.Empty;

    public UpstreamSecretSurrogate ConvertToSurrogate(in UpstreamSecret value)
    {
        if (value.IsEmpty)
        {
            return default;
        }

        var cipher = _cipher ??= services.GetService<SecretCipher>();
        if (cipher is null && value.Plaintext is not null)
        {
            throw new InvalidOperationException(
                "A secret held in clear cannot be serialized: this process has no SecretCipher (call AddImageOrleansSecrets).");
        }

        var sealedSecret = cipher is null ? value : cipher.Seal(value);
        return new UpstreamSecretSurrogate { Envelope = sealedSecret.Envelope, Masked = sealedSecret.Masked };
    }
}
