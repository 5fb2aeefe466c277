namespace ImageOrleans.Grains.Dispatch;

/// <summary>Retry, waiting and routing policy of the dispatchers (section <c>ImageOrleans:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    /// <summary>Upstream attempts in total for 5xx, timeouts and resets, across accounts.</summary>
    public int MaxAttempts { get; set; } = 3;

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
