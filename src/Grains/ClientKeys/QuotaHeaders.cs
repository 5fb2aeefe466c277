namespace ImageOrleans.Grains.ClientKeys;

/// <summary>A key's own rate limits as OpenAI reports them: limit, remaining and time to full, for requests and images.</summary>
[GenerateSerializer, Immutable, Alias("io.QuotaHeaders")]
public sealed record QuotaHeaders
{
    [Id(0)] public int? LimitRequests { get; init; }
    [Id(1)] public int? RemainingRequests { get; init; }
    [Id(2)] public TimeSpan? ResetRequests { get; init; }
    [Id(3)] public int? LimitImages { get; init; }
    [Id(4)] public int? RemainingImages { get; init; }
    [Id(5)] public TimeSpan? ResetImages { get; init; }

    public static QuotaHeaders None { get; } = new();
}
