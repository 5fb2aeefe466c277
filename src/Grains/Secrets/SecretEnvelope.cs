using System.Text.RegularExpressions;

namespace ImageOrleans.Grains.Secrets;

/// <summary>
/// The text form of a sealed secret: <c>io1.{keyId}.{base64url(nonce ‖ tag ‖ ciphertext)}</c>. The key id
/// travels in clear so a reader knows which master key opens it (and an operator can find what still
/// uses an old one); it is also bound into the tag, so it cannot be swapped.
/// </summary>
internal static partial class SecretEnvelope
{
    public const string Version = "io1";

    public static bool IsValidKeyId(string? id) => id is not null && KeyIdPattern().IsMatch(id);

    /// <summary>The key id of an envelope, or null when the text is not one.</summary>
    public static string? KeyIdOf(string envelope)
    {
        var parts = envelope.Split('.');
        return parts.Length == 3 && parts[0] == Version && IsValidKeyId(parts[1]) ? parts[1] : null;
    }

    public static string Header(string keyId) => $"{Version}.{keyId}";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyIdPattern();
}
