namespace ImageOrleans.Grains.Accounts;

/// <summary>How a leased upstream call ended, reported back to the account that granted the lease.</summary>
[GenerateSerializer, Immutable, Alias("io.OutcomeReport")]
public sealed record OutcomeReport
{
    [Id(0)] public required Guid LeaseId { get; init; }
    [Id(1)] public required OutcomeKind Kind { get; init; }
    [Id(2)] public required string Model { get; init; }
    [Id(3)] public TimeSpan Latency { get; init; }
    [Id(4)] public TimeSpan? RetryAfter { get; init; }
    [Id(5)] public RateLimitInfo RateLimits { get; init; } = RateLimitInfo.None;

    /// <summary>False when the call never reached the upstream, so its tokens can be given back.</summary>
    [Id(6)] public bool Sent { get; init; } = true;

    /// <summary>A short, secret-free description for the account's status view.</summary>
    [Id(7)] public string? Detail { get; init; }

    /// <summary>What the call cost (USD), for the account's spend of the day.</summary>
    [Id(8)] public decimal CostUsd { get; init; }
}
