namespace ImageOrleans.Grains.Usage;

/// <summary>A key's usage for one month (keyed "key id/yyyy-MM"), filled in batches by the key's grain.</summary>
public interface IUsageLedgerGrain : IGrainWithStringKey
{
    /// <summary>Adds a batch of rows; a batch id seen recently is ignored (a resend after a crash).</summary>
    ValueTask AddAsync(Guid batch, IReadOnlyList<UsageRow> rows);

    [ReadOnly]
    ValueTask<IReadOnlyList<UsageRow>> GetAsync();
}
