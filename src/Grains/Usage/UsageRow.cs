namespace ImageOrleans.Grains.Usage;

/// <summary>One line of a usage report: a key's traffic on one day, for one model and quality.</summary>
[GenerateSerializer, Immutable, Alias("io.UsageRow")]
public sealed record UsageRow
{
    [Id(0)] public required string Day { get; init; }
    [Id(1)] public required string KeyId { get; init; }
    [Id(2)] public required string Model { get; init; }
    [Id(3)] public required string Quality { get; init; }
    [Id(4)] public long Requests { get; init; }
    [Id(5)] public long Images { get; init; }
    [Id(6)] public decimal SpendUsd { get; init; }
    [Id(7)] public decimal SavedUsd { get; init; }
    [Id(8)] public long CacheHits { get; init; }
    [Id(9)] public long Failed { get; init; }
    [Id(10)] public long Generated { get; init; }

    public UsageCounters Counters() => new()
    {
        Requests = Requests,
        Images = Images,
        SpendUsd = SpendUsd,
        SavedUsd = SavedUsd,
        CacheHits = CacheHits,
        Failed = Failed,
        Generated = Generated,
    };

    public static UsageRow Of(string day, string keyId, string model, string quality, UsageCounters counters) => new()
    {
        Day = day,
        KeyId = keyId,
        Model = model,
        Quality = quality,
        Requests = counters.Requests,
        Images = counters.Images,
        SpendUsd = counters.SpendUsd,
        SavedUsd = counters.SavedUsd,
        CacheHits = counters.CacheHits,
        Failed = counters.Failed,
        Generated = counters.Generated,
    };
}
