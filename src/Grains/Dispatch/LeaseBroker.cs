using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using Orleans.Runtime;
using Orleans.Storage;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Finds an account that will grant a lease for a request: skips accounts this silo's cached view
/// knows cannot take it (by the accounts' own eligibility rule), then asks the account grains in
/// the <see cref="AccountRouter"/>'s order.
/// </summary>
public sealed class LeaseBroker(GrainReferences grains, AccountDirectory directory, AccountLoadCache loads, AccountRouter router, TimeProvider time)
{
    // A cached "blocked" verdict older than this is checked again with the grain.
    private static readonly TimeSpan LastingVerdictAge = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConcurrencyVerdictAge = TimeSpan.FromSeconds(1);

    /// <summary>Tries each eligible account once, in the router's order.</summary>
    public async Task<LeaseAttempt> TryLeaseAsync(GenerationJob job, IReadOnlySet<string> excluded, ICapacityObserver? observer, CancellationToken cancellationToken)
    {
        var snapshot = await directory.GetAsync();
        var now = time.GetUtcNow();
        var request = job.Request;
        var candidates = new List<(UpstreamAccount Account, AccountLoad? Load)>();
        var refusals = new PoolRefusals();

        foreach (var account in snapshot.Accounts)
        {
            if (!account.Enabled || !account.Serves(request.Model) || excluded.Contains(account.Id))
            {
                continue;
            }

            var cached = loads.Get(account.Id);
            if (Judge(account, cached, request.Model, request.N, Eligibility.HeadroomFor(job.Priority), now, out var lookAgainAt) is { } refusal)
            {
                refusals.Add(refusal.Reason, refusal.RetryAt, cached!.Facts, request.Model, lookAgainAt);
                continue;
            }

            candidates.Add((account, cached?.ProjectedTo(now)));
        }

        foreach (var account in router.Order(candidates, job.Route))
        {
            cancellationToken.ThrowIfCancellationRequested();
            loads.Anticipate(account.Id, request.N);
            LeaseDecision decision;
            try
            {
                decision = await grains.Account(account.Id).TryLeaseAsync(new LeaseRequest
                {
                    Model = request.Model,
                    Images = request.N,
                    RequestId = job.RequestId,
                    Observer = observer,
                    Priority = job.Priority,
                });
            }
            catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or InconsistentStateException)
            {
                // The account's grain is on a silo that just died; it reactivates elsewhere once the
                // cluster notices (and while the directory heals, a second activation may lose its first
                // write to the one that won: a version conflict). Until then, treat the account as
                // briefly busy and use the others.
                var unreachable = time.GetUtcNow() + TimeSpan.FromSeconds(1);
                loads.Observe(new AccountLoad
                {
                    AccountId = account.Id,
                    AsOf = time.GetUtcNow(),
                    Blocked = DenyReason.CoolingDown,
                    BlockedUntil = unreachable,
                    Facts = new EligibilityFacts { CooldownUntil = unreachable },
                });
                refusals.Unreachable(unreachable);
                continue;
            }

            loads.Observe(decision.Load);
            if (decision.Lease is { } lease)
            {
                return LeaseAttempt.Granted(lease, account);
            }

            refusals.Add(decision.Reason, decision.RetryAt, decision.Load.Facts, request.Model);
        }

        return refusals.ToAttempt();
    }

    /// <summary>Feeds a load snapshot from an outcome report into this silo's view.</summary>
    public void Observe(AccountLoad load) => loads.Observe(load);

    /// <summary>
    /// The account grain's own eligibility rule, applied to this silo's cached snapshot projected to
    /// now: the refusal it gives, or null to ask the grain. A snapshot too old to trust, or none,
    /// sends the question to the grain. Not asking the grain means not being told when the account
    /// changes, so <paramref name="lookAgainAt"/> says when this verdict stops being trusted.
    /// </summary>
    private static EligibilityVerdict? Judge(UpstreamAccount account, AccountLoad? load, string model, int images, double headroom, DateTimeOffset now, out DateTimeOffset? lookAgainAt)
    {
        lookAgainAt = null;
        if (load is null)
        {
            return null;
        }

        var age = now - load.AsOf;
        if (age > LastingVerdictAge)
        {
            return null;
        }

        var verdict = Eligibility.Evaluate(Projected(account, load, age), model, images, now, headroom);
        switch (verdict.Reason)
        {
            case DenyReason.None:
                return null;
            case DenyReason.Concurrency when age >= ConcurrencyVerdictAge:
                // Leases end all the time; an old count of them is not worth a refusal.
                return null;
            case DenyReason.Concurrency:
                lookAgainAt = load.AsOf + ConcurrencyVerdictAge;
                return verdict;
            default:
                lookAgainAt = load.AsOf + LastingVerdictAge;
                return verdict;
        }
    }

    private static EligibilityInput Projected(UpstreamAccount account, AccountLoad load, TimeSpan age) => new()
    {
        Account = account,
        Facts = load.Facts,
        InFlight = load.InFlight,
        Requests = new BucketLevel(load.RequestTokens, load.RequestCapacity, load.RequestRatePerSecond).After(age),
        Images = new BucketLevel(load.ImageTokens, load.ImageCapacity, load.ImageRatePerSecond).After(age),
    };
}
