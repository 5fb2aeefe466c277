namespace ImageOrleans.Simulator;

/// <summary>How a key's per-minute limits are counted, so the gateway can be tried against each way upstreams count.</summary>
public enum RateLimitMode
{
    /// <summary>A token bucket of a minute's worth, refilled continuously (bursts up to the whole limit).</summary>
    Bucket,

    /// <summary>
    /// The per-minute limit scaled to windows of <see cref="SimulatedKey.WindowSeconds"/> seconds that
    /// start on their boundaries and reset at once (OpenAI says it may enforce limits over shorter periods).
    /// </summary>
    FixedWindow,

    /// <summary>
    /// At most the limit scaled to <see cref="SimulatedKey.WindowSeconds"/> seconds in any window of that
    /// length ending now: nothing bursts past it, ever.
    /// </summary>
    SlidingWindow,
}
