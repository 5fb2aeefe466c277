namespace ImageOrleans.Grains.Accounts;

public static class DenyReasonExtensions
{
    /// <summary>Whether waiting can help: the account will have capacity again without anyone acting.</summary>
    public static bool IsTemporary(this DenyReason reason) =>
        reason is DenyReason.RateLimited or DenyReason.Concurrency or DenyReason.CoolingDown or DenyReason.BreakerOpen
            or DenyReason.ReservedForAnotherSilo;
}
