namespace ImageOrleans.Grains.Maintenance;

/// <summary>
/// The cluster's one sweeper of expired rows (key 0): prompt-cache entries and idempotency records
/// past their lifetime are deleted from storage on a reminder, not merely skipped when read.
/// </summary>
public interface IExpirySweeperGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweep reminder if it is not there yet; called by every silo at start.</summary>
    Task EnsureScheduledAsync();

    /// <summary>A bucket now holds rows; it is swept once <paramref name="sweepableAt"/> has passed.</summary>
    ValueTask RegisterAsync(string bucket, DateTimeOffset sweepableAt);

    /// <summary>Sweeps every bucket whose window is over; returns how many rows were deleted.</summary>
    Task<int> SweepAsync();
}
