namespace ImageOrleans.Grains.Maintenance;

/// <summary>One bucket of the expiry index (keyed by <see cref="ExpiryBuckets.For"/>): the rows that expire in its window.</summary>
public interface IExpiryBucketGrain : IGrainWithStringKey
{
    /// <summary>Notes rows that expire in this bucket's window (one silo's notes that came together).</summary>
    ValueTask AddAsync(IReadOnlyList<string> keys);

    /// <summary>Deletes every noted row that has expired, then the bucket itself; returns how many rows went.</summary>
    Task<int> SweepAsync();
}
