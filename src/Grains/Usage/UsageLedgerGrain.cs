using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Usage;

/// <inheritdoc cref="IUsageLedgerGrain"/>
public sealed class UsageLedgerGrain(
    [PersistentState("ledger", GrainStorageNames.Usage)] IPersistentState<UsageLedgerState> state) : Grain, IUsageLedgerGrain
{
    public async ValueTask AddAsync(IReadOnlyList<UsageRow> rows)
    {
        foreach (var row in rows)
        {
            var key = $"{row.Day}|{row.Model}|{row.Quality}";
            if (!state.State.Entries.TryGetValue(key, out var counters))
            {
                state.State.Entries[key] = counters = new UsageCounters();
            }

            counters.Add(new UsageCounters
            {
                Requests = row.Requests,
                Images = row.Images,
                SpendUsd = row.SpendUsd,
                SavedUsd = row.SavedUsd,
                CacheHits = row.CacheHits,
                Failed = row.Failed,
            });
        }

        // A batch arrives every few seconds per active key, never per request.
        await state.WriteStateAsync();
    }

    public ValueTask<IReadOnlyList<UsageRow>> GetAsync()
    {
        var keyId = this.GetPrimaryKeyString().Split('/')[0];
        IReadOnlyList<UsageRow> rows =
        [
            .. state.State.Entries.Select(e =>
            {
                var parts = e.Key.Split('|');
                return new UsageRow
                {
                    Day = parts[0],
                    KeyId = keyId,
                    Model = parts[1],
                    Quality = parts[2],
                    Requests = e.Value.Requests,
                    Images = e.Value.Images,
                    SpendUsd = e.Value.SpendUsd,
                    SavedUsd = e.Value.SavedUsd,
                    CacheHits = e.Value.CacheHits,
                    Failed = e.Value.Failed,
                };
            }),
        ];
        return ValueTask.FromResult(rows);
    }
}
