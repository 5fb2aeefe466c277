namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// A fixed share of one model's traffic sent to one group (a new provider, a migration target);
/// the rest goes to the other accounts. Sticky: each client key stays on one side.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.CanarySplit")]
public sealed record CanarySplit
{
    [Id(0)] public required string Group { get; init; }

    /// <summary>Share of the model's requests for <see cref="Group"/>, 0 to 1.</summary>
    [Id(1)] public double Share { get; init; }

    [Id(2)] public bool Sticky { get; init; }
}
