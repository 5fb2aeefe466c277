namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// What an account knows about its own availability besides bucket levels and leases in flight:
/// draining, breaker, cool-down, exclusions. Carried in every <see cref="AccountLoad"/> so that a
/// dispatcher judges the account by the same rule as the grain, on a snapshot projected to now.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.EligibilityFacts")]
public sealed record EligibilityFacts
{
    [Id(0)] public bool Draining { get; init; }
    [Id(1)] public BreakerState Breaker { get; init; }

    /// <summary>While the breaker is open: when it lets one probe through.</summary>
    [Id(2)] public DateTimeOffset? BreakerOpenUntil { get; init; }

    /// <summary>The breaker's one probe is out: nothing else passes until it reports.</summary>
    [Id(3)] public bool ProbeInFlight { get; init; }

    [Id(4)] public DateTimeOffset? CooldownUntil { get; init; }

    /// <summary>Model (or <see cref="ModelExclusion.AllModels"/>) → when one probe may test it again.</summary>
    [Id(5)] public IReadOnlyDictionary<string, DateTimeOffset> Exclusions { get; init; } = Empty;

    // Declared before None, which reads it while the type initialises.
    private static readonly IReadOnlyDictionary<string, DateTimeOffset> Empty = new Dictionary<string, DateTimeOffset>();

    public static EligibilityFacts None { get; } = new();
}
