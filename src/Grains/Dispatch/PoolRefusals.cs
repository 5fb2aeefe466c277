using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// What the accounts that refused a request say about waiting. An account that is only busy (bucket,
/// leases in flight, 429 cool-down, its breaker's probe out) may take the request at any moment:
/// waiting for it is what the queue is for. An account behind an open breaker can take it no sooner
/// than the breaker's probe time; one that is disabled, excluded or unauthorized, never by itself.
/// When no account is only busy, the pool is unavailable to the request until the earliest probe time.
/// </summary>
public sealed class PoolRefusals
{
    private bool _busy;
    private bool _anyBreaker;
    private DateTimeOffset? _earliestRetry;
    private DateTimeOffset? _earliestBreaker;
    private DateTimeOffset? _nextProbe;

    /// <summary>
    /// Notes one account's refusal; <paramref name="facts"/> and <paramref name="model"/> name an
    /// exclusion's recheck time. <paramref name="lookAgainAt"/>: when a refusal without a time of its
    /// own (judged from a cached view, which nobody updates unasked) should be asked about again.
    /// </summary>
    public void Add(DenyReason reason, DateTimeOffset? retryAt, EligibilityFacts? facts, string model, DateTimeOffset? lookAgainAt = null)
    {
        if (reason == DenyReason.BreakerOpen && retryAt is { } probeAt)
        {
            _anyBreaker = true;
            _earliestBreaker = Earliest(_earliestBreaker, probeAt);
            _earliestRetry = Earliest(_earliestRetry, probeAt);
            _nextProbe = Earliest(_nextProbe, probeAt);
        }
        else if (reason.IsTemporary())
        {
            _busy = true;
            _earliestRetry = Earliest(_earliestRetry, retryAt ?? lookAgainAt);
        }
        else if (facts is not null && reason is DenyReason.Unauthorized or DenyReason.ModelExcluded)
        {
            foreach (var key in (string[])[ModelExclusion.AllModels, model])
            {
                if (facts.Exclusions.TryGetValue(key, out var recheckAt) && recheckAt != DateTimeOffset.MaxValue)
                {
                    _nextProbe = Earliest(_nextProbe, recheckAt);
                }
            }
        }
    }

    /// <summary>An account whose grain could not be reached: busy for <paramref name="until"/>, as far as anyone knows.</summary>
    public void Unreachable(DateTimeOffset until) => Add(DenyReason.CoolingDown, until, null, string.Empty);

    /// <summary>The refusal of the whole pass.</summary>
    public LeaseAttempt ToAttempt() => LeaseAttempt.Refused(
        anyTemporary: _busy || _anyBreaker,
        earliest: _earliestRetry,
        unavailableUntil: _busy ? null : _anyBreaker ? _earliestBreaker : DateTimeOffset.MaxValue,
        nextProbe: _nextProbe);

    private static DateTimeOffset? Earliest(DateTimeOffset? current, DateTimeOffset? candidate) =>
        candidate is null ? current : current is null || candidate < current ? candidate : current;
}
