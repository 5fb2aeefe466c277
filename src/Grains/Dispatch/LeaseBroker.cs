using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using Orleans.Runtime;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Finds an account that will grant a lease for a request: least loaded first according to this
/// silo's cached view, skipping accounts the view knows to be full, asking the account grains.
/// </summary>
public sealed class LeaseBroker(IGrainFactory grains, AccountDirectory directory, AccountLoadCache loads, TimeProvider time)
{
    // A cached "blocked" verdict older than this is checked again with the grain.
    private static readonly TimeSpan LastingVerdictAge = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConcurrencyVerdictAge = TimeSpan.FromSeconds(1);

    // Accounts whose scores differ by less than this are treated as equally loaded and tried in random order.
    private const double ScoreTie = 0.05;

    /// <summary>Tries each eligible account once, in order of load.</summary>
    public async Task<LeaseAttempt> TryLeaseAsync(GenerationJob job, IReadOnlySet<string> excluded, ICapacityObserver? observer, CancellationToken cancellationToken)
    {
        var snapshot = await directory.GetAsync();
        var now = time.GetUtcNow();
        var request = job.Request;
        var candidates = new List<(UpstreamAccount Account, double Score, double Tie)>();
        var anyTemporary = false;
        DateTimeOffset? earliest = null;

        foreach (var account in snapshot.Accounts)
        {
            if (!account.Enabled || !account.Serves(request.Model) || excluded.Contains(account.Id))
            {
                continue;
            }

            var cached = loads.Get(account.Id);
            switch (Judge(cached, request.Model, request.N, now, out var until))
            {
                case Verdict.Lasting:
                    continue;
                case Verdict.Temporary:
                    anyTemporary = true;
                    earliest = Earliest(earliest, until);
                    continue;
                default:
                    candidates.Add((account, cached?.Score ?? 0, Random.Shared.NextDouble()));
                    break;
            }
        }

        candidates.Sort(static (a, b) =>
            Math.Abs(a.Score - b.Score) < ScoreTie ? a.Tie.CompareTo(b.Tie) : a.Score.CompareTo(b.Score));

        foreach (var (account, _, _) in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            loads.Anticipate(account.Id, request.N);
            LeaseDecision decision;
            try
            {
                decision = await grains.GetGrain<IAccountGrain>(account.Id).TryLeaseAsync(new LeaseRequest
                {
                    Model = request.Model,
                    Images = request.N,
                    RequestId = job.RequestId,
                    Observer = observer,
                });
            }
            catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
            {
                // The account's grain is on a silo that just died; it reactivates elsewhere once the
                // cluster notices. Until then, treat the account as briefly busy and use the others.
                var unreachable = time.GetUtcNow() + TimeSpan.FromSeconds(1);
                loads.Observe(new AccountLoad { AccountId = account.Id, AsOf = time.GetUtcNow(), Blocked = DenyReason.CoolingDown, BlockedUntil = unreachable });
                anyTemporary = true;
                earliest = Earliest(earliest, unreachable);
                continue;
            }

            loads.Observe(decision.Load);
            if (decision.Lease is { } lease)
            {
                return LeaseAttempt.Granted(lease, account);
            }

            if (decision.Reason.IsTemporary())
            {
                anyTemporary = true;
                earliest = Earliest(earliest, decision.RetryAt);
            }
        }

        return LeaseAttempt.Refused(anyTemporary, earliest);
    }

    /// <summary>Feeds a load snapshot from an outcome report into this silo's view.</summary>
    public void Observe(AccountLoad load) => loads.Observe(load);

    private static Verdict Judge(AccountLoad? load, string model, int images, DateTimeOffset now, out DateTimeOffset? until)
    {
        until = null;
        if (load is null)
        {
            return Verdict.Try;
        }

        var age = now - load.AsOf;
        if (age > LastingVerdictAge)
        {
            return Verdict.Try;
        }

        if (load.Blocked is DenyReason.Disabled or DenyReason.Draining or DenyReason.Removed or DenyReason.Unauthorized
            || load.ExcludedModels.Contains(model, StringComparer.OrdinalIgnoreCase))
        {
            return Verdict.Lasting;
        }

        if (load.Blocked is DenyReason.CoolingDown or DenyReason.BreakerOpen && load.BlockedUntil > now)
        {
            until = load.BlockedUntil;
            return Verdict.Temporary;
        }

        if (load.Blocked == DenyReason.Concurrency && load.InFlight >= load.MaxConcurrency && age < ConcurrencyVerdictAge)
        {
            return Verdict.Temporary;
        }

        // Project the cached bucket levels forward to now.
        var seconds = Math.Max(0, age.TotalSeconds);
        var requestTokens = Math.Min(load.RequestCapacity, load.RequestTokens + (seconds * load.RequestRatePerSecond));
        var imageTokens = Math.Min(load.ImageCapacity, load.ImageTokens + (seconds * load.ImageRatePerSecond));
        var wait = Math.Max(
            Deficit(1, requestTokens, load.RequestRatePerSecond),
            Deficit(images, imageTokens, load.ImageRatePerSecond));
        if (wait > 0)
        {
            until = now + TimeSpan.FromSeconds(wait);
            return Verdict.Temporary;
        }

        return Verdict.Try;
    }

    private static double Deficit(double needed, double available, double rate) =>
        needed <= available + 1e-9 || rate <= 0 ? 0 : (needed - available) / rate;

    private static DateTimeOffset? Earliest(DateTimeOffset? current, DateTimeOffset? candidate) =>
        candidate is null ? current : current is null || candidate < current ? candidate : current;

    private enum Verdict
    {
        Try,
        Temporary,
        Lasting,
    }
}
