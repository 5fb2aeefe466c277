namespace ImageOrleans.Grains.Secrets;

/// <summary>
/// Master keys that seal upstream API keys and webhook secrets at rest (<c>ImageOrleans:Secrets</c>).
/// Every silo of a cluster needs the same keys.
/// </summary>
public sealed class SecretsOptions
{
    public const string SectionName = "ImageOrleans:Secrets";

    /// <summary>Key id → base64 of 32 random bytes. Old ids stay while ciphertext sealed under them remains.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The key id new ciphertext is sealed under.</summary>
    public string? ActiveKeyId { get; set; }
}
