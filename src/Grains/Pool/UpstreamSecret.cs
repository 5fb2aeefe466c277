namespace ImageOrleans.Grains.Pool;

/// <summary>
/// An upstream API key. Its string form is always masked, so a secret that reaches a log line,
/// an exception or a status view by accident shows as <c>sk-…abcd</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.UpstreamSecret")]
public sealed class UpstreamSecret(string value) : IEquatable<UpstreamSecret>
{
    [Id(0)] private readonly string _value = value;

    public static UpstreamSecret Empty { get; } = new(string.Empty);

    public bool IsEmpty => _value.Length == 0;

    /// <summary>The only way to read the key: call it where it is put on the wire, nowhere else.</summary>
    public string Reveal() => _value;

    public string Masked => Mask(_value);

    public override string ToString() => Masked;

    public bool Equals(UpstreamSecret? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as UpstreamSecret);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);

    public static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return "(none)";
        }

        var prefix = secret.StartsWith("sk-", StringComparison.Ordinal) ? "sk-" : string.Empty;
        return secret.Length <= 12 ? $"{prefix}…" : $"{prefix}…{secret[^4..]}";
    }
}
