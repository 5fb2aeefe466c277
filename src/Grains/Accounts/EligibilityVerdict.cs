namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// The eligibility rule's answer: why not and until when, or yes, possibly as a probe (of an open
/// breaker, or of an exclusion whose recheck time has come).
/// </summary>
public readonly record struct EligibilityVerdict(DenyReason Reason, DateTimeOffset? RetryAt = null, string? ExclusionProbe = null, bool BreakerProbe = false)
{
    public static EligibilityVerdict Eligible { get; } = new(DenyReason.None);

    public bool IsEligible => Reason == DenyReason.None;
}
