namespace ImageOrleans.Grains.Usage;

/// <summary>Counts for one key, day, model and quality.</summary>
[GenerateSerializer, Alias("io.UsageCounters")]
public sealed class UsageCounters
{
    [Id(0)] public long Requests { get; set; }
    [Id(1)] public long Images { get; set; }
    [Id(2)] public decimal SpendUsd { get; set; }
    [Id(3)] public decimal SavedUsd { get; set; }
    [Id(4)] public long CacheHits { get; set; }
    [Id(5)] public long Failed { get; set; }

    /// <summary>Images the upstream produced and this key paid for; cache hits and replays not included.</summary>
    [Id(6)] public long Generated { get; set; }

    public void Add(UsageCounters other)
    {
        Requests += other.Requests;
        Images += other.Images;
        SpendUsd += other.SpendUsd;
        SavedUsd += other.SavedUsd;
        CacheHits += other.CacheHits;
        Failed += other.Failed;
        Generated += other.Generated;
    }
}
