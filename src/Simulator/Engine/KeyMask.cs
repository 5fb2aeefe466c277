namespace ImageOrleans.Simulator.Engine;

/// <summary>Masks API keys for logs and error messages, the way OpenAI does ("sk-...abcd").</summary>
internal static class KeyMask
{
    public static string Mask(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "(none)";
        }

        // Short keys would be nearly spelled out by a prefix and a suffix, so they keep only a tail.
        return key.Length >= 12
            ? string.Concat(key.AsSpan(0, 3), "...", key.AsSpan(key.Length - 4))
            : string.Concat("...", key.AsSpan(key.Length - Math.Min(2, key.Length / 4)));
    }
}
