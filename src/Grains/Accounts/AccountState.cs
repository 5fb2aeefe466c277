namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// What an account remembers across restarts: health, breaker, cool-down and exclusions, so a
/// restarted cluster does not hammer an account that was cooling down.
/// </summary>
[GenerateSerializer, Alias("io.AccountState")]
public sealed class AccountState
{
    [Id(0)] public double EwmaLatencyMs { get; set; }
    [Id(1)] public long Successes { get; set; }
    [Id(2)] public long Failures { get; set; }
    [Id(3)] public int ConsecutiveFailures { get; set; }
    [Id(4)] public BreakerState Breaker { get; set; }
    [Id(5)] public DateTimeOffset? BreakerOpenUntil { get; set; }
    [Id(6)] public DateTimeOffset? CooldownUntil { get; set; }
    [Id(7)] public Dictionary<string, ModelExclusion> Exclusions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True only when the last activation ended in an orderly way and saved its buckets; after a
    /// crash the buckets start empty, because the upstream may have seen calls we never recorded.
    /// </summary>
    [Id(8)] public bool CleanShutdown { get; set; }

    [Id(9)] public double RequestTokens { get; set; }
    [Id(10)] public double ImageTokens { get; set; }
    [Id(11)] public DateTimeOffset TokensAt { get; set; }
    [Id(12)] public double LearnedRateFactor { get; set; } = 1.0;
    [Id(13)] public long RateLimited { get; set; }
    [Id(14)] public long LeasesGranted { get; set; }

    /// <summary>The pace that last drew a 429: recovery stays just below it until it is old news.</summary>
    [Id(15)] public double LearnedCeiling { get; set; } = 1.0;

    [Id(16)] public DateTimeOffset LastRateLimitedAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>UTC day of <see cref="SpendTodayUsd"/>, "yyyy-MM-dd".</summary>
    [Id(17)] public string SpendDay { get; set; } = string.Empty;

    [Id(18)] public decimal SpendTodayUsd { get; set; }

    /// <summary>Drained by an operator: no new leases until resumed, across restarts.</summary>
    [Id(19)] public bool Draining { get; set; }
}
