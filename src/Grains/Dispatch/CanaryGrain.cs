using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Dispatch;

/// <inheritdoc cref="ICanaryGrain"/>
public sealed class CanaryGrain(
    [PersistentState("canary", GrainStorageNames.Pool)] IPersistentState<CanaryState> state) : Grain, ICanaryGrain
{
    public ValueTask<IReadOnlyDictionary<string, CanarySplit>> GetAsync() =>
        ValueTask.FromResult<IReadOnlyDictionary<string, CanarySplit>>(new Dictionary<string, CanarySplit>(state.State.Splits, StringComparer.OrdinalIgnoreCase));

    public async ValueTask SetAsync(string model, CanarySplit? split)
    {
        if (split is null)
        {
            state.State.Splits.Remove(model);
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(split.Share, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(split.Share, 1);
            state.State.Splits[model] = split;
        }

        // Rare and operator-driven: written at once.
        await state.WriteStateAsync();
    }
}
