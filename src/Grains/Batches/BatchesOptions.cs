namespace ImageOrleans.Grains.Batches;

/// <summary>Files and batches (section <c>ImageOrleans:Batches</c>).</summary>
public sealed class BatchesOptions
{
    public const string SectionName = "Batches";

    /// <summary>The largest file <c>POST /v1/files</c> accepts.</summary>
    public long MaxFileBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>The most requests one batch may hold.</summary>
    public int MaxItems { get; set; } = 50_000;

    /// <summary>Items whose results are persisted together; a silo that dies loses at most this much progress (never a charge).</summary>
    public int ChunkSize { get; set; } = 50;

    /// <summary>Items of one batch in the pipeline at once; the pool's queue decides when each actually runs.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>How often a batch's reminder checks that it runs (after a silo died) and whether it expired.</summary>
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before an item that met a full pool or a lost node is tried again; it doubles up to a minute.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
