namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// A snapshot of an account's load, returned with every lease decision and outcome report so that
/// dispatchers can route from a cached view without an extra call.
/// </summary>
[GenerateSerializer, Immutable, Alias("io.AccountLoad")]
public sealed record AccountLoad
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public DateTimeOffset AsOf { get; init; }
    [Id(2)] public double RequestTokens { get; init; }
    [Id(3)] public double RequestCapacity { get; init; }
    [Id(4)] public double ImageTokens { get; init; }
    [Id(5)] public double ImageCapacity { get; init; }
    [Id(6)] public int InFlight { get; init; }
    [Id(7)] public int MaxConcurrency { get; init; }
    [Id(8)] public double Weight { get; init; } = 1.0;
    [Id(9)] public DenyReason Blocked { get; init; }

    /// <summary>When a blocked account can take a one-image request again, if that is known.</summary>
    [Id(10)] public DateTimeOffset? BlockedUntil { get; init; }

    [Id(11)] public IReadOnlyList<string> ExcludedModels { get; init; } = [];
    [Id(12)] public double RequestRatePerSecond { get; init; }
    [Id(13)] public double ImageRatePerSecond { get; init; }

    /// <summary>The rest of what the eligibility rule reads, so routing judges this snapshot by the grain's own rule.</summary>
    [Id(14)] public EligibilityFacts Facts { get; init; } = EligibilityFacts.None;

    /// <summary>Moving average of successful calls' latency; 0 while unknown.</summary>
    [Id(15)] public double EwmaLatencyMs { get; init; }

    /// <summary>Share of recent calls that succeeded; 1 while unknown.</summary>
    [Id(16)] public double SuccessRate { get; init; } = 1.0;

    /// <summary>How many recent calls <see cref="SuccessRate"/> is measured over.</summary>
    [Id(17)] public int Outcomes { get; init; }

    /// <summary>
    /// This snapshot as it stands at <paramref name="now"/>: the buckets refilled at their rates since
    /// it was taken, so an account last seen empty is not judged empty for ever by whoever routes on it.
    /// </summary>
    public AccountLoad ProjectedTo(DateTimeOffset now) => now <= AsOf ? this : this with
    {
        RequestTokens = new BucketLevel(RequestTokens, RequestCapacity, RequestRatePerSecond).After(now - AsOf).Tokens,
        ImageTokens = new BucketLevel(ImageTokens, ImageCapacity, ImageRatePerSecond).After(now - AsOf).Tokens,
    };
}
