namespace ImageOrleans.Grains.Dispatch;

/// <summary>The cluster's canary splits (one grain, key 0), changed live by operators.</summary>
public interface ICanaryGrain : IGrainWithIntegerKey
{
    [ReadOnly]
    ValueTask<IReadOnlyDictionary<string, CanarySplit>> GetAsync();

    /// <summary>Sets the split of <paramref name="model"/>; null ends it.</summary>
    ValueTask SetAsync(string model, CanarySplit? split);
}
