namespace ImageOrleans.Grains.Secrets;

/// <summary>
/// A sealed secret cannot be opened here: its key id is not configured, or the ciphertext does not
/// verify under it. The message names the owner and the key id, never any secret.
/// </summary>
[GenerateSerializer, Alias("io.SecretUnavailableException")]
public sealed class SecretUnavailableException : Exception
{
    public SecretUnavailableException()
    {
    }

    public SecretUnavailableException(string message)
        : base(message)
    {
    }

    public SecretUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SecretUnavailableException(string message, string? keyId)
        : base(message) => KeyId = keyId;

    /// <summary>The key id the secret is sealed under, when it could be read.</summary>
    [Id(0)] public string? KeyId { get; }
}
