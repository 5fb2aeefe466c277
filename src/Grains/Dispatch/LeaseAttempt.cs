using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>One pass over the eligible accounts: a lease, or whether waiting could help and until when.</summary>
public sealed record LeaseAttempt(Lease? Lease, UpstreamAccount? Account, bool AnyTemporary, DateTimeOffset? EarliestRetry)
{
    public static LeaseAttempt Granted(Lease lease, UpstreamAccount account) => new(lease, account, false, null);

    public static LeaseAttempt Refused(bool anyTemporary, DateTimeOffset? earliest) => new(null, null, anyTemporary, earliest);
}
