namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// What the upstream says it actually produced (GPT image models echo these at the top of the answer):
/// never the requested <c>auto</c>, so clients learn the real size, quality, background and format.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.ProducedSettings")]
public sealed record ProducedSettings
{
    [Id(0)] public string? Size { get; init; }
    [Id(1)] public string? Quality { get; init; }
    [Id(2)] public string? Background { get; init; }
    [Id(3)] public string? OutputFormat { get; init; }
}
