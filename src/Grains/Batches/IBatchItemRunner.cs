namespace ImageOrleans.Grains.Batches;

/// <summary>
/// Runs one batch item through the same pipeline as live traffic (admission, budget, cache, coalescing,
/// dispatch), idempotently per batch and <c>custom_id</c>: run twice, it generates and charges once.
/// The silo provides it; the batch grain only orchestrates.
/// </summary>
public interface IBatchItemRunner
{
    Task<BatchItemOutcome> RunAsync(BatchItemWork work, CancellationToken cancellationToken);
}
