using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Usage;

/// <inheritdoc cref="IUsageLedgerGrain"/>
public sealed class UsageLedgerGrain(
    [PersistentState("ledger", GrainStorageNames.Usage)] IPersistentState<UsageLedgerState> state) : Grain, IUsageLedgerGrain
{
    private const int RememberedBatches = 64;

    public async ValueTask AddAsync(Guid batch, IReadOnlyList<UsageRow> rows)
    {
        if (state.State.RecentBatches.Contains(batch))
        {
            return;
        }

        state.State.RecentBatches.Add(batch);
        if (state.State.RecentBatches.Count > RememberedBatches)
        {
            state.State.RecentBatches.RemoveAt(0);
        }

        foreach (var row in rows)
        {
            var key = $"{row.Day}|{row.Model}|{row.Quality}";
            if (!state.State.Entries.TryGetValue(key, out var counters))
            {
                state.State.Entries[key] = counters = new UsageCounters();
            }

            counters.Add(row.Counters());
        }

        // A batch arrives every few seconds per active key, never per request.
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // What is in memory must match what is stored: a batch that failed to write is not
            // remembered, so its resend is taken rather than discarded as a duplicate. If storage cannot
            // even be read back, this activation goes, and the next call starts from what is stored.
            try
            {
                await state.ReadStateAsync();
            }
            catch
            {
                DeactivateOnIdle();
            }

            throw;
        }
    }

    public ValueTask<IReadOnlyList<UsageRow>> GetAsync()
    {
        var keyId = this.GetPrimaryKeyString().Split('/')[0];
        IReadOnlyList<UsageRow> rows =
        [
            .. state.State.Entries.Select(e =>
            {
                var parts = e.Key.Split('|');
                return UsageRow.Of(parts[0], keyId, parts[1], parts[2], e.Value);
            }),
        ];
        return ValueTask.FromResult(rows);
    }
}
