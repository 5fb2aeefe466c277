namespace ImageOrleans.Grains.Batches;

/// <summary>
/// One batch (keyed by batch id): a durable job over an input file's items. It runs them through the
/// generation pipeline, stores their results in chunks, and resumes on any silo after a crash, driven
/// by its reminder. Only the key that created it sees it.
/// </summary>
public interface IBatchGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Creates the batch (once; a repeat returns the batch as it is) and starts it.</summary>
    Task<BatchObject> CreateAsync(BatchSpec spec);

    [ReadOnly]
    Task<BatchObject?> GetAsync(string keyId);

    /// <summary>Stops starting items; the batch is cancelled once those in flight ended. Null when not this key's.</summary>
    Task<BatchObject?> CancelAsync(string keyId);

    /// <summary>Starts a batch paused for budget again (the admin API; a budget raise is noticed by the reminder anyway).</summary>
    Task<BatchObject?> ResumeAsync();

    /// <summary>The results so far, in input order: the successes or the failures.</summary>
    [ReadOnly]
    Task<IReadOnlyList<BatchItemOutcome>> ReadResultsAsync(bool failures);
}
