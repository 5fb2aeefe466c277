namespace ImageOrleans.Grains.Maintenance;

/// <summary>The expiry buckets that hold rows, with the moment each can be swept.</summary>
[GenerateSerializer, Alias("io.ExpirySweeperState")]
public sealed class ExpirySweeperState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> Buckets { get; set; } = new(StringComparer.Ordinal);
}
