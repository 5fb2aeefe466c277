namespace ImageOrleans.Simulator.Engine;

/// <summary>Index of each counter in <see cref="KeyCounters"/>; the order is the snapshot's field order.</summary>
internal enum SimulatorCounter
{
    Requests,
    Served,
    Images,
    RefusedRateLimit,
    RefusedConcurrency,
    RefusedAuth,
    RefusedQuota,
    RefusedForbidden,
    RefusedInvalid,
    ContentPolicy,
    FaultsServerError,
    FaultsTimeout,
    FaultsReset,
    FaultsMalformed,
    Aborted,
    InFlight,
    MaxInFlight,
    FaultsTruncated,
    FaultsSlowBody,
}
