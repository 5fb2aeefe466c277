using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ImageOrleans.Grains.Images;

/// <summary>Signs and checks the expiring links the gateway hands out for images (HMAC-SHA256 over id and expiry).</summary>
public sealed class ImageUrlSigner(byte[] key)
{
    public string Sign(string imageId, long expiresUnixSeconds)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(imageId, expiresUnixSeconds, mac);
        return WebEncoders.Base64UrlEncode(mac);
    }

    public bool Verify(string imageId, long expiresUnixSeconds, string? signature, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signature) || now.ToUnixTimeSeconds() > expiresUnixSeconds)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = WebEncoders.Base64UrlDecode(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        Compute(imageId, expiresUnixSeconds, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private void Compute(string imageId, long expires, Span<byte> destination)
    {
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{imageId}\n{expires}"));
        HMACSHA256.HashData(key, payload, destination);
    }
}
