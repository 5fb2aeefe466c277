namespace ImageOrleans.Grains.Maintenance;

/// <summary>The cluster's one image sweeper (key 0): a reminder deletes images past their retention.</summary>
public interface IImageRetentionGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweep reminder if it is not there yet; called by every silo at start.</summary>
    Task EnsureScheduledAsync();

    /// <summary>Sweeps now; returns how many images were deleted.</summary>
    Task<int> SweepAsync();
}
