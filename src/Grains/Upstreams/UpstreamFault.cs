namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// How an upstream call broke, finer than its outcome: each class has its own counter and log event,
/// so an operator can tell a pool with 5xx bursts from one whose connections hang or get cut.
/// </summary>
public enum UpstreamFault
{
    /// <summary>No fault: an answer the gateway could read (success, 4xx, 429).</summary>
    None,

    /// <summary>The upstream answered 5xx (or 408/409/504).</summary>
    ServerError,

    /// <summary>No response headers within the account's timeout: the call hung.</summary>
    Hang,

    /// <summary>The connection failed or was reset before a response arrived.</summary>
    Reset,

    /// <summary>Headers arrived, then the connection ended before the announced body did.</summary>
    Truncated,

    /// <summary>A complete 200 whose body is not an image response.</summary>
    Malformed,

    /// <summary>Headers arrived, but the body did not finish within the account's timeout.</summary>
    SlowBody,
}
