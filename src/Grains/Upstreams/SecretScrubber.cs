using System.Text.RegularExpressions;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Removes API keys from text that came from an upstream before it is logged or shown to anyone.</summary>
public static partial class SecretScrubber
{
    public static string? Scrub(string? text, UpstreamSecret? key = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        // A sealed key cannot be matched in clear here; the pattern below still masks sk- keys.
        if (key?.Plaintext is { Length: >= 4 } clear)
        {
            text = text.Replace(clear, key.Masked, StringComparison.Ordinal);
        }

        return KeyPattern().Replace(text, m => UpstreamSecret.Mask(m.Value));
    }

    [GeneratedRegex(@"sk-[A-Za-z0-9_\-\*]{8,}")]
    private static partial Regex KeyPattern();
}
