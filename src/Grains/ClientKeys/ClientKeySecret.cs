namespace ImageOrleans.Grains.ClientKeys;

/// <summary>Rules for the secret of a client key: how long it must be and how much of it may be shown.</summary>
public static class ClientKeySecret
{
    /// <summary>Shortest accepted client key (configured, development or created); a generated key is longer.</summary>
    public const int MinLength = 24;

    /// <summary>Characters of a key a hint may show: its last four.</summary>
    public const int HintLength = 4;

    private const string Ellipsis = "…";

    public static bool IsLongEnough(string? key) => key is not null && key.Trim().Length >= MinLength;

    /// <summary>
    /// The hint kept beside a key's hash: an ellipsis and the key's last four characters. No prefix,
    /// not even our own <c>sk-io-</c>: it is part of the secret too, so it would count against the four.
    /// </summary>
    public static string Hint(string key) => Ellipsis + key[^Math.Min(HintLength, key.Length / 4)..];

    /// <summary>A stored hint as shown: hints written by older versions kept more of the key, cut here to the last four.</summary>
    public static string? Shown(string? hint)
    {
        var ellipsis = hint?.LastIndexOf(Ellipsis, StringComparison.Ordinal) ?? -1;
        if (hint is null || ellipsis < 0)
        {
            return hint;
        }

        var tail = hint[(ellipsis + Ellipsis.Length)..];
        return Ellipsis + tail[^Math.Min(HintLength, tail.Length)..];
    }
}
