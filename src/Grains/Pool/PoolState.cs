namespace ImageOrleans.Grains.Pool;

[GenerateSerializer, Alias("io.PoolState")]
public sealed class PoolState
{
    [Id(0)] public Dictionary<string, UpstreamAccount> Accounts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Fingerprint of each account's configuration seed, to tell a changed configuration from an unchanged one.</summary>
    [Id(1)] public Dictionary<string, string> SeedFingerprints { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public long Version { get; set; }
}
