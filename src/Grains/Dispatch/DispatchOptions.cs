namespace ImageOrleans.Grains.Dispatch;

/// <summary>Retry, waiting and routing policy of the dispatchers (section <c>ImageOrleans:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    /// <summary>
    /// How many times a request may go round the pool after faults (5xx, hangs, resets, truncated or
    /// malformed answers): each round tries every eligible account it has not tried yet; the accounts
    /// already tried are tried again only in a new round, when no other can serve.
    /// </summary>
    public int MaxRounds { get; set; } = 3;

    /// <summary>
    /// Share of a silo's requests that may be retried after a fault (0.2: retries add at most 20 %
    /// to the upstream calls). Beyond it, requests fail fast with 503 pool_unavailable.
    /// </summary>
    public double RetryBudget { get; set; } = 0.2;

    /// <summary>Unused retries a silo banks (and starts with), so a burst of scattered faults is still retried.</summary>
    public int RetryReserve { get; set; } = 50;

    /// <summary>Back-off before a request goes back to an account it already tried (a failover to another goes at once).</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How old this silo's copy of the account list may get before it is refreshed in the background.</summary>
    public TimeSpan DirectoryRefresh { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a request may wait for pool capacity unless the client or its key asks for less.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Requests that may wait for capacity on one silo at once; beyond it, 503 pool_saturated.</summary>
    public int QueueDepth { get; set; } = 2000;

    /// <summary>How long a stopping silo keeps serving what it accepted before answering the rest 503.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(150);
}
