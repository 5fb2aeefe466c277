namespace ImageOrleans.Grains.Accounts;

/// <summary>The live status of one account for operators: limits, bucket levels, health and why it is out, if it is.</summary>
[GenerateSerializer, Immutable, Alias("io.AccountStatus")]
public sealed record AccountStatus
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required AccountLoad Load { get; init; }
    [Id(2)] public bool Enabled { get; init; }
    [Id(3)] public bool Draining { get; init; }
    [Id(4)] public BreakerState Breaker { get; init; }
    [Id(5)] public DateTimeOffset? BreakerOpenUntil { get; init; }
    [Id(6)] public DateTimeOffset? CooldownUntil { get; init; }
    [Id(7)] public IReadOnlyDictionary<string, ModelExclusion> Exclusions { get; init; } = new Dictionary<string, ModelExclusion>();
    [Id(8)] public double EwmaLatencyMs { get; init; }
    [Id(9)] public double SuccessRate { get; init; }
    [Id(10)] public int ConsecutiveFailures { get; init; }
    [Id(11)] public long Successes { get; init; }
    [Id(12)] public long Failures { get; init; }
    [Id(13)] public long RateLimited { get; init; }
    [Id(14)] public long LeasesGranted { get; init; }

    /// <summary>Share of the configured rate the account is paced at (below 1 after the upstream proved the limit lower).</summary>
    [Id(15)] public double LearnedRateFactor { get; init; } = 1.0;

    /// <summary>Upstream spend through this account today (UTC).</summary>
    [Id(16)] public decimal SpendTodayUsd { get; init; }
}
