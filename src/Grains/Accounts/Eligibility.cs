using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// The one rule that decides whether an account may take a request now. The account grain applies
/// it to its live state before granting a lease, its status view applies it for "why is this account
/// blocked", and dispatchers apply it to a cached snapshot projected to now before asking the grain.
/// </summary>
/// <remarks>
/// Rules in order; the first that refuses answers. Lasting reasons come before temporary ones, so a
/// router moves on from an account that cannot serve instead of waiting for a cool-down that would
/// not help. Probes are decided only after every other rule passed: a probe never goes out during a
/// cool-down, at full concurrency or with an empty bucket.
/// <list type="number">
/// <item>removed, disabled, draining, model not served</item>
/// <item>exclusion not yet due for its recheck (401 for all models → Unauthorized, else ModelExcluded)</item>
/// <item>breaker open (until its open time ends), or half-open with its one probe already out</item>
/// <item>429 cool-down</item>
/// <item>probe: a half-open breaker or an exclusion due for recheck lets this one request through</item>
/// <item>concurrency cap</item>
/// <item>buckets: more images than the bucket holds (TooLarge), else the time until both have enough</item>
/// </list>
/// </remarks>
public static class Eligibility
{
    /// <summary>
    /// Tokens a <c>low</c> (batch) request leaves in each bucket for live traffic. A batch that took
    /// every token the moment it refilled would make each live request wait for the next refill (at
    /// 60 a minute, up to a second) although live traffic goes first in the queue.
    /// </summary>
    public const double LowPriorityHeadroom = 1;

    /// <summary>The tokens a request of <paramref name="priority"/> must leave in the buckets.</summary>
    public static double HeadroomFor(RequestPriority priority) => priority == RequestPriority.Low ? LowPriorityHeadroom : 0;

    /// <summary>
    /// Judges a request for <paramref name="images"/> images of <paramref name="model"/>; a null model
    /// asks about any model (the status view), skipping the per-model rules. With <paramref name="headroom"/>,
    /// the buckets must hold that many tokens more than the request takes (as far as their capacity allows).
    /// </summary>
    public static EligibilityVerdict Evaluate(in EligibilityInput input, string? model, int images, DateTimeOffset now, double headroom = 0)
    {
        var account = input.Account;
        var facts = input.Facts;
        if (account is null)
        {
            return new(DenyReason.Removed);
        }

        if (!account.Enabled)
        {
            return new(DenyReason.Disabled);
        }

        if (facts.Draining)
        {
            return new(DenyReason.Draining);
        }

        if (model is not null && !account.Serves(model))
        {
            return new(DenyReason.ModelNotServed);
        }

        string? exclusionProbe = null;
        foreach (var key in (ReadOnlySpan<string?>)[ModelExclusion.AllModels, model])
        {
            if (key is not null && facts.Exclusions.TryGetValue(key, out var recheckAt))
            {
                if (now < recheckAt)
                {
                    return new(key == ModelExclusion.AllModels ? DenyReason.Unauthorized : DenyReason.ModelExcluded);
                }

                exclusionProbe ??= key;
            }
        }

        var breakerProbe = false;
        switch (facts.Breaker)
        {
            case BreakerState.Open when now < facts.BreakerOpenUntil:
                return new(DenyReason.BreakerOpen, facts.BreakerOpenUntil);
            case BreakerState.Open or BreakerState.HalfOpen when facts.ProbeInFlight:
                return new(DenyReason.BreakerOpen);
            case BreakerState.Open or BreakerState.HalfOpen:
                breakerProbe = true;
                break;
        }

        if (facts.CooldownUntil is { } cooldown && now < cooldown)
        {
            return new(DenyReason.CoolingDown, cooldown);
        }

        if (account.MaxConcurrency > 0 && input.InFlight >= account.MaxConcurrency)
        {
            return new(DenyReason.Concurrency);
        }

        var wait = BucketWait(input.Requests, input.Images, images, headroom);
        if (wait == TimeSpan.MaxValue)
        {
            return new(DenyReason.TooLarge);
        }

        if (wait > TimeSpan.Zero)
        {
            return new(DenyReason.RateLimited, now + wait);
        }

        return new(DenyReason.None, null, exclusionProbe, breakerProbe);
    }

    /// <summary>
    /// Time until both buckets have room for one call of <paramref name="images"/> images leaving
    /// <paramref name="headroom"/> behind; <see cref="TimeSpan.MaxValue"/> if never.
    /// </summary>
    public static TimeSpan BucketWait(BucketLevel requestLevel, BucketLevel imageLevel, int images, double headroom) =>
        Max(requestLevel.TimeUntil(WithHeadroom(requestLevel, 1, headroom)), imageLevel.TimeUntil(WithHeadroom(imageLevel, images, headroom)));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Never more than the bucket holds: headroom must not turn a request that fits into one too large.</summary>
    private static double WithHeadroom(BucketLevel level, double amount, double headroom) =>
        headroom <= 0 || !level.Known ? amount : Math.Max(amount, Math.Min(amount + headroom, level.Capacity));
}
