using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// One upstream account: owns its token buckets, concurrency cap, health and breaker. Grants leases
/// and takes outcome reports; it never makes the slow upstream call itself.
/// </summary>
public interface IAccountGrain : IGrainWithStringKey
{
    // Turns are short: a call that takes longer is stuck behind a silo that died, and the dispatcher
    // should use other accounts rather than wait for the default timeout.
    [ResponseTimeout("00:00:05")]
    ValueTask<LeaseDecision> TryLeaseAsync(LeaseRequest request);

    [ResponseTimeout("00:00:05")]
    ValueTask<AccountLoad> ReportOutcomeAsync(OutcomeReport report);

    /// <summary>Books several outcomes in one turn, in order (a silo's successes that ended together).</summary>
    [ResponseTimeout("00:00:05")]
    ValueTask<AccountLoad> ReportOutcomesAsync(IReadOnlyList<OutcomeReport> reports);

    [ReadOnly]
    ValueTask<AccountStatus> GetStatusAsync();

    /// <summary>Applies a new definition (limits, models, key, enabled); null means the account was removed.</summary>
    ValueTask ConfigureAsync(UpstreamAccount? account);

    /// <summary>Stops granting new leases; those in flight finish normally.</summary>
    ValueTask SetDrainingAsync(bool draining);

    /// <summary>Clears exclusions, cool-down and breaker, for an operator who fixed the cause.</summary>
    ValueTask ResetHealthAsync();
}
