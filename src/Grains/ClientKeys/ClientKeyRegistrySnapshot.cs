namespace ImageOrleans.Grains.ClientKeys;

/// <summary>Which key id a key hash belongs to, and until when (a rotated-out key), at one version.</summary>
[GenerateSerializer, Immutable, Alias("io.ClientKeyRegistrySnapshot")]
public sealed record ClientKeyRegistrySnapshot
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public IReadOnlyDictionary<string, ClientKeyEntry> ByHash { get; init; } = new Dictionary<string, ClientKeyEntry>();

    public static ClientKeyRegistrySnapshot Empty { get; } = new();
}
