namespace ImageOrleans.Grains.Accounts;

public static class OutcomeKindExtensions
{
    /// <summary>Failures that say the account (or its network path) is unwell: they count for the breaker.</summary>
    public static bool IsTransientFailure(this OutcomeKind kind) =>
        kind is OutcomeKind.ServerError or OutcomeKind.Timeout or OutcomeKind.ConnectionFailed or OutcomeKind.MalformedResponse;

    /// <summary>Failures where another account can take the request without it counting as a retry.</summary>
    public static bool IsAccountSpecific(this OutcomeKind kind) =>
        kind is OutcomeKind.RateLimited or OutcomeKind.QuotaExhausted or OutcomeKind.Forbidden or OutcomeKind.Unauthorized;

    /// <summary>Failures caused by the request itself: passed to the client, never retried.</summary>
    public static bool IsClientError(this OutcomeKind kind) => kind is OutcomeKind.BadRequest or OutcomeKind.ContentPolicy;
}
