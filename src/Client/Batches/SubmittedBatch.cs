namespace ImageOrleans.Client.Batches;

/// <summary>What <c>batch submit --out DIR</c> remembers in the folder, so a re-run resumes rather than resubmits.</summary>
public sealed class SubmittedBatch
{
    public required string BatchId { get; init; }

    /// <summary>SHA-256 of the input sent: a different input in the same folder is a new batch.</summary>
    public required string InputSha256 { get; init; }
}
