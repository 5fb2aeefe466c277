namespace ImageOrleans.Grains.ClientKeys;

[GenerateSerializer, Alias("io.ClientKeyRegistryState")]
public sealed class ClientKeyRegistryState
{
    [Id(0)] public Dictionary<string, ClientKeyEntry> ByHash { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public HashSet<string> KeyIds { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public long Version { get; set; }
}
