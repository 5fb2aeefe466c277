namespace ImageOrleans.Grains.Maintenance;

/// <summary>The keys of the rows that expire in one bucket's window.</summary>
[GenerateSerializer, Alias("io.ExpiryBucketState")]
public sealed class ExpiryBucketState
{
    [Id(0)] public HashSet<string> Keys { get; set; } = new(StringComparer.Ordinal);
}
