using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>One pass over the eligible accounts: a lease, or whether waiting could help and until when.</summary>
/// <param name="Lease">The lease granted, if any.</param>
/// <param name="Account">The account that granted it.</param>
/// <param name="AnyTemporary">Some account refused only for now: waiting may help.</param>
/// <param name="EarliestRetry">The earliest known time one of those may have room: when to ask again.</param>
/// <param name="UnavailableUntil">
/// Set when no account can take the request before then by itself: every one that serves it is behind
/// an open breaker until at least then, or out for good (<see cref="DateTimeOffset.MaxValue"/>). Null
/// while some account is only busy, which is what waiting in the queue is for.
/// </param>
/// <param name="NextProbe">When an open breaker or an exclusion next lets a probe through, if known: the client's Retry-After.</param>
public sealed record LeaseAttempt(
    Lease? Lease,
    UpstreamAccount? Account,
    bool AnyTemporary,
    DateTimeOffset? EarliestRetry,
    DateTimeOffset? UnavailableUntil = null,
    DateTimeOffset? NextProbe = null)
{
    public static LeaseAttempt Granted(Lease lease, UpstreamAccount account) => new(lease, account, false, null);

    public static LeaseAttempt Refused(bool anyTemporary, DateTimeOffset? earliest, DateTimeOffset? unavailableUntil, DateTimeOffset? nextProbe) =>
        new(null, null, anyTemporary, earliest, unavailableUntil, nextProbe);

    /// <summary>
    /// No lease, and none can come before <paramref name="deadline"/>: the request should end now
    /// rather than wait for a deadline it cannot meet.
    /// </summary>
    public bool Hopeless(DateTimeOffset deadline) => Lease is null && UnavailableUntil is { } until && until >= deadline;
}
