using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Batches;

/// <inheritdoc cref="IBatchIndexGrain"/>
public sealed class BatchIndexGrain(
    [PersistentState("batches", GrainStorageNames.Batches)] IPersistentState<BatchIndexState> state) : Grain, IBatchIndexGrain
{
    public async Task AddAsync(string batchId)
    {
        if (!state.State.BatchIds.Contains(batchId))
        {
            state.State.BatchIds.Add(batchId);
            await state.WriteStateAsync();
        }
    }

    public Task<BatchPage> ListAsync(string? after, int limit)
    {
        IEnumerable<string> newestFirst = Enumerable.Reverse(state.State.BatchIds);
        if (after is not null)
        {
            newestFirst = newestFirst.SkipWhile(id => id != after).Skip(1);
        }

        var page = newestFirst.Take(limit + 1).ToList();
        return Task.FromResult(new BatchPage { BatchIds = page.Take(limit).ToList(), HasMore = page.Count > limit });
    }
}
