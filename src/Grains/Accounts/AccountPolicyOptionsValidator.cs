using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Accounts;

/// <summary>Refuses account-policy values that would break pacing or health at first use, naming the setting.</summary>
public sealed class AccountPolicyOptionsValidator : IValidateOptions<AccountPolicyOptions>
{
    private const string Section = "ImageOrleans:AccountPolicy:";

    public ValidateOptionsResult Validate(string? name, AccountPolicyOptions o)
    {
        var problems = new List<string>();
        void Require(bool ok, string setting, string rule)
        {
            if (!ok)
            {
                problems.Add($"{Section}{setting} {rule}.");
            }
        }

        Require(o.RateMargin is >= 0 and < 0.5, nameof(o.RateMargin), "must be at least 0 and below 0.5");
        Require(o.BurstFraction is > 0 and <= 1, nameof(o.BurstFraction), "must be above 0 and at most 1");
        Require(o.WindowGuard >= TimeSpan.Zero && o.WindowGuard < TimeSpan.FromSeconds(30), nameof(o.WindowGuard), "must be at least 0 and under 30 seconds");
        Require(o.ShortWindowGuard >= TimeSpan.Zero && o.ShortWindowGuard < TimeSpan.FromSeconds(1), nameof(o.ShortWindowGuard), "must be at least 0 and under a second");
        Require(o.BreakerFailureThreshold >= 1, nameof(o.BreakerFailureThreshold), "must be at least 1");
        Require(o.BreakerFailureRate is > 0 and <= 1, nameof(o.BreakerFailureRate), "must be above 0 and at most 1");
        Require(o.BreakerWindow >= o.BreakerFailureThreshold && o.BreakerWindow <= 10_000, nameof(o.BreakerWindow), "must be at least BreakerFailureThreshold and at most 10000");
        Require(o.BreakerOpenDuration > TimeSpan.Zero, nameof(o.BreakerOpenDuration), "must be positive");
        Require(o.BreakerMaxOpenDuration >= o.BreakerOpenDuration, nameof(o.BreakerMaxOpenDuration), "must be at least BreakerOpenDuration");
        Require(o.RecoveryRamp >= TimeSpan.Zero, nameof(o.RecoveryRamp), "must not be negative (0 turns the ramp off)");
        Require(o.DefaultRateLimitCooldown > TimeSpan.Zero, nameof(o.DefaultRateLimitCooldown), "must be positive");
        Require(o.MaxRateLimitCooldown >= o.DefaultRateLimitCooldown, nameof(o.MaxRateLimitCooldown), "must be at least DefaultRateLimitCooldown");
        Require(o.ExclusionRecheck > TimeSpan.Zero, nameof(o.ExclusionRecheck), "must be positive");
        Require(o.LeaseGrace >= TimeSpan.Zero, nameof(o.LeaseGrace), "must not be negative");
        Require(o.SiloReservation >= TimeSpan.Zero, nameof(o.SiloReservation), "must not be negative");
        Require(o.PersistInterval > TimeSpan.Zero, nameof(o.PersistInterval), "must be positive");
        Require(o.LatencyEwmaAlpha is > 0 and <= 1, nameof(o.LatencyEwmaAlpha), "must be above 0 and at most 1");
        Require(o.SuccessWindow >= 1, nameof(o.SuccessWindow), "must be at least 1");
        Require(o.MinLearnedRateFactor is > 0 and <= 1, nameof(o.MinLearnedRateFactor), "must be above 0 and at most 1");
        Require(o.RateRecoveryInterval > TimeSpan.Zero, nameof(o.RateRecoveryInterval), "must be positive");
        Require(o.RateProbeAfter >= TimeSpan.Zero, nameof(o.RateProbeAfter), "must not be negative");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
