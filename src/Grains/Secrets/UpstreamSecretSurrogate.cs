namespace ImageOrleans.Grains.Secrets;

/// <summary>
/// What an <see cref="Pool.UpstreamSecret"/> is on the wire and in grain state. <see cref="Legacy"/> is the
/// clear-text field of state written before secrets were encrypted: read, never written.
/// </summary>
[GenerateSerializer, Alias("io.UpstreamSecretSurrogate")]
public readonly record struct UpstreamSecretSurrogate
{
    [Id(0)] public string? Legacy { get; init; }
    [Id(1)] public string? Envelope { get; init; }
    [Id(2)] public string? Masked { get; init; }
}
