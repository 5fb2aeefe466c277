namespace ImageOrleans.Grains.Usage;

/// <summary>A key's usage for one month (keyed "key id/yyyy-MM"), filled in batches by the key's grain.</summary>
public interface IUsageLedgerGrain : IGrainWithStringKey
{
    ValueTask AddAsync(IReadOnlyList<UsageRow> rows);

    [ReadOnly]
    ValueTask<IReadOnlyList<UsageRow>> GetAsync();
}
