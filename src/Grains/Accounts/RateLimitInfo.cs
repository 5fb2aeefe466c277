namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// Rate limits as OpenAI's <c>x-ratelimit-*</c> headers carry them: an upstream's, read from its
/// responses, or a client key's own, written on the gateway's.
/// </summary>
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
