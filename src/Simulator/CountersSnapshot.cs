namespace ImageOrleans.Simulator;

/// <summary>An immutable copy of <see cref="KeyCounters"/>; serialized in snake_case by GET /sim/stats.</summary>
public sealed record CountersSnapshot(
    long Requests,
    long Served,
    long Images,
    long RefusedRateLimit,
    long RefusedConcurrency,
    long RefusedAuth,
    long RefusedQuota,
    long RefusedForbidden,
    long RefusedInvalid,
    long ContentPolicy,
    long FaultsServerError,
    long FaultsTimeout,
    long FaultsReset,
    long FaultsMalformed,
    long Aborted,
    long InFlight,
    long MaxInFlight,
    long FaultsTruncated = 0,
    long FaultsSlowBody = 0);
