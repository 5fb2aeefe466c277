namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// Spots accounts that draw on one upstream limit without declaring a <c>LimitScope</c>: keys of one
/// OpenAI project share its limit, so each one's <c>x-ratelimit-remaining-requests</c> also drops for
/// the other's calls. Not thread-safe: the owner locks.
/// </summary>
/// <remarks>
/// Between two of an account's calls (ordered by when they were granted, close to when the upstream
/// counted them) its remaining figure should drop by its own call, less what refilled meanwhile. When
/// another account made calls in between and the drop is larger by about that many, the two counters
/// are one: evidence for. When it is not, evidence against. Two accounts that merely both drain (or
/// both sit full) show no such excess.
/// </remarks>
public sealed class SharedLimitDetector
{
    private const int Kept = 64;
    private const int EvidenceNeeded = 8;
    private const int Margin = 2;
    private const double ShareNeeded = 0.8;
    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, List<Sample>> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), (int For, int Against)> _evidence = [];
    private readonly HashSet<(string, string)> _reported = [];

    /// <summary>
    /// One call's remaining-requests figure. Returns the other account when the evidence that the two
    /// share a limit has just become strong enough (once per pair).
    /// </summary>
    public string? Observe(string accountId, DateTimeOffset grantedAt, RateLimitInfo info)
    {
        if (info.RemainingRequests is not { } remaining || info.LimitRequests is not { } limit || limit <= 0)
        {
            return null;
        }

        if (!_samples.TryGetValue(accountId, out var own))
        {
            _samples[accountId] = own = [];
        }

        var at = own.FindLastIndex(s => s.At <= grantedAt) + 1;
        own.Insert(at, new Sample(grantedAt, remaining, limit));
        if (own.Count > Kept)
        {
            own.RemoveAt(0);
            at--;
        }

        // First in time, or older than every kept sample (then just dropped again): nothing earlier to compare with.
        if (at <= 0)
        {
            return null;
        }

        var previous = own[at - 1];
        var current = own[at];
        var elapsed = current.At - previous.At;

        // A counter pinned near empty or full (a saturated or an idle account) moves by rounding and
        // refill alone: only a counter in between says whose calls it counts.
        if (elapsed > Horizon || !InBetween(previous, limit) || !InBetween(current, limit))
        {
            return null;
        }

        var excess = previous.Remaining - current.Remaining - 1 + (limit * elapsed.TotalSeconds / 60.0);
        string? found = null;
        foreach (var (other, samples) in _samples)
        {
            if (other == accountId)
            {
                continue;
            }

            var between = samples.Count(s => s.Limit == limit && s.At > previous.At && s.At < current.At);
            if (between == 0)
            {
                continue;
            }

            var pair = string.CompareOrdinal(accountId, other) < 0 ? (accountId, other) : (other, accountId);
            var (yes, no) = _evidence.GetValueOrDefault(pair);
            _evidence[pair] = excess >= between - 0.5 ? (yes + 1, no) : (yes, no + 1);
            (yes, no) = _evidence[pair];
            if (yes >= EvidenceNeeded && yes >= ShareNeeded * (yes + no) && _reported.Add(pair))
            {
                found = other;
            }
        }

        return found;
    }

    private static bool InBetween(Sample sample, int limit) => sample.Remaining >= Margin && sample.Remaining <= limit - Margin;

    private readonly record struct Sample(DateTimeOffset At, int Remaining, int Limit);
}
