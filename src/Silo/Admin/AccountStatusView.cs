using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Silo.Admin;

/// <summary>The live side of an account: buckets, load, health, breaker and why it is out of rotation.</summary>
public sealed record AccountStatusView(
    string Blocked,
    DateTimeOffset? BlockedUntil,
    bool Draining,
    string Breaker,
    DateTimeOffset? BreakerOpenUntil,
    DateTimeOffset? CooldownUntil,
    IReadOnlyDictionary<string, ExclusionView> Exclusions,
    int InFlight,
    double RequestTokens,
    double RequestCapacity,
    double ImageTokens,
    double ImageCapacity,
    double PacedRequestsPerMinute,
    double PacedImagesPerMinute,
    double LearnedRateFactor,
    double EwmaLatencyMs,
    double SuccessRate,
    int ConsecutiveFailures,
    long Successes,
    long Failures,
    long RateLimited,
    long LeasesGranted,
    decimal SpendTodayUsd)
{
    public static AccountStatusView Of(AccountStatus status) => new(
        status.Load.Blocked.ToString(),
        status.Load.BlockedUntil,
        status.Draining,
        status.Breaker.ToString(),
        status.BreakerOpenUntil,
        status.CooldownUntil,
        status.Exclusions.ToDictionary(e => e.Key, e => new ExclusionView(e.Value.Reason, e.Value.Detail, e.Value.Since, e.Value.RecheckAt)),
        status.Load.InFlight,
        Math.Round(status.Load.RequestTokens, 3),
        status.Load.RequestCapacity,
        Math.Round(status.Load.ImageTokens, 3),
        status.Load.ImageCapacity,
        Math.Round(status.Load.RequestRatePerSecond * 60, 3),
        Math.Round(status.Load.ImageRatePerSecond * 60, 3),
        status.LearnedRateFactor,
        Math.Round(status.EwmaLatencyMs, 1),
        status.SuccessRate,
        status.ConsecutiveFailures,
        status.Successes,
        status.Failures,
        status.RateLimited,
        status.LeasesGranted,
        status.SpendTodayUsd);
}
