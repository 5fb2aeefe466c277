namespace ImageOrleans.Grains.Maintenance;

/// <summary>One bucket of the expiry index (keyed by <see cref="ExpiryBuckets.For"/>): the rows that expire in its window.</summary>
public interface IExpiryBucketGrain : IGrainWithStringKey
{
    /// <summary>Notes a row that expires in this bucket's window.</summary>
    ValueTask AddAsync(string key);

    /// <summary>Notes several rows that expire in this bucket's window.</summary>
    ValueTask AddManyAsync(IReadOnlyList<string> keys);

    /// <summary>Deletes every noted row that has expired, then the bucket itself; returns how many rows went.</summary>
    Task<int> SweepAsync();
}
