using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Accounts;

/// <summary>Everything the eligibility rule reads about one account at one moment.</summary>
public readonly record struct EligibilityInput
{
    /// <summary>The account's definition; null when it was removed from the pool.</summary>
    public required UpstreamAccount? Account { get; init; }

    public required EligibilityFacts Facts { get; init; }

    public required int InFlight { get; init; }

    public required BucketLevel Requests { get; init; }

    public required BucketLevel Images { get; init; }
}
