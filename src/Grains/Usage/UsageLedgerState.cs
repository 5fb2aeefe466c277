namespace ImageOrleans.Grains.Usage;

[GenerateSerializer, Alias("io.UsageLedgerState")]
public sealed class UsageLedgerState
{
    /// <summary>Keyed "day|model|quality".</summary>
    [Id(0)] public Dictionary<string, UsageCounters> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recent batch ids added, oldest first.</summary>
    [Id(1)] public List<Guid> RecentBatches { get; set; } = [];
}
