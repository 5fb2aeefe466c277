using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Turns an upstream's HTTP status and error body into what the gateway does about it.</summary>
public static class UpstreamErrorClassifier
{
    public static OutcomeKind Classify(int status, UpstreamErrorBody? error)
    {
        var code = error?.Code;
        var type = error?.Type;
        return status switch
        {
            >= 200 and < 300 => OutcomeKind.Success,
            429 when Is(code, "insufficient_quota") || Is(type, "insufficient_quota") || Is(code, "billing_hard_limit_reached") => OutcomeKind.QuotaExhausted,
            429 => OutcomeKind.RateLimited,
            401 => OutcomeKind.Unauthorized,
            403 => OutcomeKind.Forbidden,

            // The account has no such model or deployment; another account may.
            404 => OutcomeKind.Forbidden,
            400 when IsContentPolicy(code, type) => OutcomeKind.ContentPolicy,
            408 => OutcomeKind.Timeout,
            409 => OutcomeKind.ServerError,
            >= 400 and < 500 => OutcomeKind.BadRequest,
            504 => OutcomeKind.Timeout,
            _ => OutcomeKind.ServerError,
        };
    }

    /// <summary>The fault class of an answer the upstream gave with an HTTP status (not a broken connection).</summary>
    public static UpstreamFault FaultOf(OutcomeKind kind) => kind.IsTransientFailure() ? UpstreamFault.ServerError : UpstreamFault.None;

    private static bool IsContentPolicy(string? code, string? type) =>
        Is(code, "content_policy_violation") || Is(code, "moderation_blocked") || Is(type, "image_generation_user_error");

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);
}
