using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ImageOrleans.Grains.Images;

/// <summary>
/// Image ids are the first 128 bits of the content's SHA-256 plus the format's extension, so ids are
/// stable across silos and a stored image is never written twice.
/// </summary>
public static partial class ImageIds
{
    public static string For(ReadOnlySpan<byte> content, ImageFormat format)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(content, hash);
        return $"{Convert.ToHexStringLower(hash[..16])}.{format.Extension}";
    }

    /// <summary>Whether a client-supplied id is well formed (and so safe to turn into a path).</summary>
    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex("^[0-9a-f]{32}\\.(png|jpeg|webp|gif|bin)$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
