using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// The silo's <see cref="SharedLimitDetector"/> over the accounts active on it that declare no
/// <c>LimitScope</c>: warns once per pair that moves together, so the operator can declare the scope.
/// </summary>
public sealed partial class SharedLimitWatch(ILogger<SharedLimitWatch> logger)
{
    private readonly Lock _lock = new();
    private readonly SharedLimitDetector _detector = new();

    public void Observe(string accountId, string? limitScope, DateTimeOffset grantedAt, RateLimitInfo info)
    {
        if (limitScope is not null || info.RemainingRequests is null)
        {
            return;
        }

        string? other;
        lock (_lock)
        {
            other = _detector.Observe(accountId, grantedAt, info);
        }

        if (other is not null)
        {
            LogProbablyShared(logger, accountId, other);
        }
    }

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning,
        Message = "Accounts {AccountId} and {OtherAccountId} declare no shared LimitScope, but their x-ratelimit-remaining-requests move together: they probably share one upstream limit (keys of one project). Give both the same LimitScope so they are paced as one")]
    private static partial void LogProbablyShared(ILogger logger, string accountId, string otherAccountId);
}
