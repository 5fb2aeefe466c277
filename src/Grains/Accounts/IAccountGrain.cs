using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// One upstream account: owns its token buckets, concurrency cap, health and breaker. Grants leases
/// and takes outcome reports; it never makes the slow upstream call itself.
/// </summary>
public interface IAccountGrain : IGrainWithStringKey
{
    ValueTask<LeaseDecision> TryLeaseAsync(LeaseRequest request);

    ValueTask<AccountLoad> ReportOutcomeAsync(OutcomeReport report);

    [ReadOnly]
    ValueTask<AccountStatus> GetStatusAsync();

    /// <summary>Applies a new definition (limits, models, key, enabled); null means the account was removed.</summary>
    ValueTask ConfigureAsync(UpstreamAccount? account);

    /// <summary>Stops granting new leases; those in flight finish normally.</summary>
    ValueTask SetDrainingAsync(bool draining);

    /// <summary>Clears exclusions, cool-down and breaker, for an operator who fixed the cause.</summary>
    ValueTask ResetHealthAsync();
}
