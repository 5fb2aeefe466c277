namespace ImageOrleans.Grains.Accounts;

/// <summary>The upstream's own view of its limits, read from its <c>x-ratelimit-*</c> headers.</summary>
[GenerateSerializer, Immutable, Alias("io.RateLimitInfo")]
public sealed record RateLimitInfo
{
    [Id(0)] public int? LimitRequests { get; init; }
    [Id(1)] public int? RemainingRequests { get; init; }
    [Id(2)] public TimeSpan? ResetRequests { get; init; }
    [Id(3)] public int? LimitImages { get; init; }
    [Id(4)] public int? RemainingImages { get; init; }
    [Id(5)] public TimeSpan? ResetImages { get; init; }

    public static RateLimitInfo None { get; } = new();
}
