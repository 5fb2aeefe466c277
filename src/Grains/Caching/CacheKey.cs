using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Caching;

/// <summary>
/// The identity of a request for caching: the tenant plus every parameter that changes the image,
/// with the prompt's whitespace normalised. Delivery details (URL or base64, end-user id) are left
/// out because they never change the image.
/// </summary>
public static class CacheKey
{
    public static string For(string tenant, ImageRequest request)
    {
        var canonical = new StringBuilder(64 + request.Prompt.Length)
            .Append("v1").Append('\u001f')
            .Append(tenant).Append('\u001f')
            .Append(request.Model.ToLowerInvariant()).Append('\u001f')
            .Append(NormalizePrompt(request.Prompt)).Append('\u001f')
            .Append(request.N.ToString(CultureInfo.InvariantCulture)).Append('\u001f')
            .Append(request.Size).Append('\u001f')
            .Append(request.Quality).Append('\u001f')
            .Append(request.Background).Append('\u001f')
            .Append(request.OutputFormat).Append('\u001f')
            .Append(request.OutputCompression?.ToString(CultureInfo.InvariantCulture)).Append('\u001f')
            .Append(request.Moderation).Append('\u001f')
            .Append(request.Style);
        if (request.Operation != ImageOperation.Generate)
        {
            // Edits and variations: the same prompt on other files is another image. Generations keep
            // their key unchanged, so entries cached before edits existed still hit.
            canonical.Append('\u001f').Append(request.Operation.ToString()).Append('\u001f').Append(request.InputFidelity);
            foreach (var image in request.Images)
            {
                canonical.Append('\u001f').Append(image.Sha256);
            }

            canonical.Append('\u001f').Append("mask:").Append(request.Mask?.Sha256);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>Trims and collapses every run of white space to one space; case and punctuation are kept.</summary>
    public static string NormalizePrompt(string prompt)
    {
        var builder = new StringBuilder(prompt.Length);
        var pendingSpace = false;
        foreach (var c in prompt)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
