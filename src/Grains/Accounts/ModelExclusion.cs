namespace ImageOrleans.Grains.Accounts;

/// <summary>An account taken out of rotation for a model (or for every model, under <see cref="AllModels"/>).</summary>
[GenerateSerializer, Immutable, Alias("io.ModelExclusion")]
public sealed record ModelExclusion
{
    public const string AllModels = "*";

    [Id(0)] public required string Reason { get; init; }
    [Id(1)] public string? Detail { get; init; }
    [Id(2)] public DateTimeOffset Since { get; init; }

    /// <summary>
    /// After this, one request is let through as a probe to see whether the cause has gone; never
    /// for a 401 (<see cref="DateTimeOffset.MaxValue"/>), which lasts until the key changes.
    /// </summary>
    [Id(3)] public DateTimeOffset RecheckAt { get; init; }
}
