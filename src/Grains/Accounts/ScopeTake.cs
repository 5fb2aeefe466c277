namespace ImageOrleans.Grains.Accounts;

/// <summary>One call's draw on a shared limit, with the limit as the asking account declares it.</summary>
[GenerateSerializer, Immutable, Alias("io.ScopeTake")]
public sealed record ScopeTake
{
    [Id(0)] public int RequestsPerMinute { get; init; }
    [Id(1)] public int ImagesPerMinute { get; init; }
    [Id(2)] public int Images { get; init; } = 1;

    /// <summary>Tokens the call must leave in the shared buckets (<see cref="Eligibility.HeadroomFor"/>).</summary>
    [Id(3)] public double Headroom { get; init; }
}
