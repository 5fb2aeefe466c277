namespace ImageOrleans.Grains.Pool;

/// <summary>The pool's account definitions at one version.</summary>
[GenerateSerializer, Immutable, Alias("io.PoolSnapshot")]
public sealed record PoolSnapshot
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public IReadOnlyList<UpstreamAccount> Accounts { get; init; } = [];

    public static PoolSnapshot Empty { get; } = new();
}
