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

        if (key is { IsEmpty: false } && key.Reveal().Length >= 4)
        {
            text = text.Replace(key.Reveal(), key.Masked, StringComparison.Ordinal);
        }

        return KeyPattern().Replace(text, m => UpstreamSecret.Mask(m.Value));
    }

    [GeneratedRegex(@"sk-[A-Za-z0-9_\-\*]{8,}")]
    private static partial Regex KeyPattern();
}
