using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Batches;

/// <inheritdoc cref="IBatchChunkGrain"/>
public sealed class BatchChunkGrain(
    [PersistentState("chunk", GrainStorageNames.Batches)] IPersistentState<BatchChunkState> state) : Grain, IBatchChunkGrain
{
    public async Task SaveAsync(IReadOnlyList<BatchItemOutcome> outcomes)
    {
        state.State = new BatchChunkState { Outcomes = [.. outcomes] };
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<BatchItemOutcome>> GetAsync() => Task.FromResult<IReadOnlyList<BatchItemOutcome>>(state.State.Outcomes);

    public static string KeyOf(string batchId, int chunk) => $"{batchId}/{chunk}";
}
