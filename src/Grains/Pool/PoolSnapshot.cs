namespace ImageOrleans.Grains.Pool;

/// <summary>
/// The pool's account definitions at one version. Account keys in it are ciphertext (the pool seals
/// them as they arrive, and Orleans serializes secrets only sealed), opened only by the upstream client.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.PoolSnapshot")]
public sealed record PoolSnapshot
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public IReadOnlyList<UpstreamAccount> Accounts { get; init; } = [];

    public static PoolSnapshot Empty { get; } = new();
}
