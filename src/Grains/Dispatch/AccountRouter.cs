using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// The order in which a dispatcher tries the accounts that may take a request. Groups first, by
/// their priority (lower first): a group is only tried after every account of the groups before it
/// was, so traffic overflows to the next group instead of failing. Within a group, the account to
/// try first is chosen by smooth weighted round robin over each account's <see cref="Desirability"/>:
/// equal accounts take exact turns (no account is favoured for being configured first), and an
/// account twice as desirable takes twice the turns. The rest follow, most desirable first.
/// </summary>
public sealed class AccountRouter
{
    // Even a nearly full or failing account keeps a trickle of turns, so its health can be seen to recover.
    private const double Floor = 0.001;

    // Success rates are judged as if every account had this many successes more: one failure does
    // not condemn an account, a run of them (as many as open a breaker) halves its share.
    private const double PriorSuccesses = 5;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _credit = new(StringComparer.Ordinal);

    /// <summary>
    /// How much of the traffic an account should get, relative to the others: its weight, times the
    /// share of its tightest limit that is free, times its success rate squared (a failing account
    /// gets almost nothing once enough calls prove it), times how fast it is compared with the
    /// fastest candidate (half as fast, half the share).
    /// </summary>
    public static double Desirability(UpstreamAccount account, AccountLoad? load, double fastestLatencyMs)
    {
        if (load is null)
        {
            return Math.Max(account.Weight, Floor);
        }

        var headroom = Math.Min(Free(load.RequestTokens, load.RequestCapacity), Free(load.ImageTokens, load.ImageCapacity));
        if (load.MaxConcurrency > 0)
        {
            headroom = Math.Min(headroom, Math.Max(0, load.MaxConcurrency - load.InFlight) / (double)load.MaxConcurrency);
        }

        var speed = load.EwmaLatencyMs > 0 && fastestLatencyMs > 0 ? Math.Min(1, fastestLatencyMs / load.EwmaLatencyMs) : 1;
        var rate = ((load.SuccessRate * load.Outcomes) + PriorSuccesses) / (load.Outcomes + PriorSuccesses);
        var success = rate * rate;
        return Math.Max(account.Weight * headroom * success * speed, Floor);
    }

    /// <summary>
    /// Orders <paramref name="candidates"/> for one request; takes the first one's turn. With a
    /// canary <paramref name="route"/>, the accounts of the request's side come first (by group
    /// priority within it), the other side after them, so a saturated side overflows, not fails.
    /// </summary>
    public IReadOnlyList<UpstreamAccount> Order(IReadOnlyList<(UpstreamAccount Account, AccountLoad? Load)> candidates, CanaryRoute? route = null)
    {
        if (candidates.Count <= 1)
        {
            return [.. candidates.Select(c => c.Account)];
        }

        var fastest = candidates.Select(c => c.Load?.EwmaLatencyMs ?? 0).Where(ms => ms > 0).DefaultIfEmpty(0).Min();
        var ordered = new List<UpstreamAccount>(candidates.Count);
        foreach (var group in candidates.GroupBy(c => (Side(c.Account, route), c.Account.GroupPriority)).OrderBy(g => g.Key))
        {
            var scored = group.Select(c => (c.Account, Score: Desirability(c.Account, c.Load, fastest))).ToList();
            var first = TakeTurn(scored);
            ordered.Add(first);
            ordered.AddRange(scored.Where(s => !ReferenceEquals(s.Account, first)).OrderByDescending(s => s.Score).Select(s => s.Account));
        }

        return ordered;
    }

    private UpstreamAccount TakeTurn(List<(UpstreamAccount Account, double Score)> scored)
    {
        lock (_lock)
        {
            var total = 0.0;
            UpstreamAccount? best = null;
            var bestCredit = double.MinValue;
            var ties = 0;
            foreach (var (account, score) in scored)
            {
                var credit = _credit.GetValueOrDefault(account.Id) + score;
                _credit[account.Id] = credit;
                total += score;
                if (credit > bestCredit + 1e-12)
                {
                    (best, bestCredit, ties) = (account, credit, 1);
                }
                else if (Math.Abs(credit - bestCredit) <= 1e-12 && Random.Shared.Next(++ties) == 0)
                {
                    // Equal credit: any of them, so the first configured is not the one that always wins.
                    best = account;
                }
            }

            _credit[best!.Id] = bestCredit - total;
            return best;
        }
    }

    private static int Side(UpstreamAccount account, CanaryRoute? route) =>
        route is null || string.Equals(account.Group, route.Group, StringComparison.OrdinalIgnoreCase) == route.ToCanary ? 0 : 1;

    private static double Free(double tokens, double capacity) => capacity <= 0 ? 1 : Math.Clamp(tokens / capacity, 0, 1);
}
