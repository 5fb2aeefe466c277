using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Upstreams;

public sealed class UpstreamErrorClassifierTests
{
    [Theory]
    [InlineData(200, null, null, OutcomeKind.Success)]
    [InlineData(429, "requests", "rate_limit_exceeded", OutcomeKind.RateLimited)]
    [InlineData(429, null, null, OutcomeKind.RateLimited)]
    [InlineData(429, "insufficient_quota", "insufficient_quota", OutcomeKind.QuotaExhausted)]
    [InlineData(429, "invalid_request_error", "billing_hard_limit_reached", OutcomeKind.QuotaExhausted)]
    [InlineData(401, "invalid_request_error", "invalid_api_key", OutcomeKind.Unauthorized)]
    [InlineData(403, "invalid_request_error", null, OutcomeKind.Forbidden)]
    [InlineData(404, "invalid_request_error", "model_not_found", OutcomeKind.Forbidden)]
    [InlineData(400, "invalid_request_error", "invalid_value", OutcomeKind.BadRequest)]
    [InlineData(400, "image_generation_user_error", "content_policy_violation", OutcomeKind.ContentPolicy)]
    [InlineData(400, "invalid_request_error", "moderation_blocked", OutcomeKind.ContentPolicy)]
    [InlineData(413, null, null, OutcomeKind.BadRequest)]
    [InlineData(408, null, null, OutcomeKind.Timeout)]
    [InlineData(409, null, null, OutcomeKind.ServerError)]
    [InlineData(500, "server_error", null, OutcomeKind.ServerError)]
    [InlineData(502, null, null, OutcomeKind.ServerError)]
    [InlineData(503, null, null, OutcomeKind.ServerError)]
    [InlineData(504, null, null, OutcomeKind.Timeout)]
    public void Status_and_error_body_decide_the_outcome(int status, string? type, string? code, OutcomeKind expected)
    {
        var error = type is null && code is null ? null : new UpstreamErrorBody("m", type, code, null);
        Assert.Equal(expected, UpstreamErrorClassifier.Classify(status, error));
    }

    [Theory]
    [InlineData(OutcomeKind.ServerError, true, false, false)]
    [InlineData(OutcomeKind.Timeout, true, false, false)]
    [InlineData(OutcomeKind.ConnectionFailed, true, false, false)]
    [InlineData(OutcomeKind.MalformedResponse, true, false, false)]
    [InlineData(OutcomeKind.RateLimited, false, true, false)]
    [InlineData(OutcomeKind.QuotaExhausted, false, true, false)]
    [InlineData(OutcomeKind.Forbidden, false, true, false)]
    [InlineData(OutcomeKind.Unauthorized, false, true, false)]
    [InlineData(OutcomeKind.BadRequest, false, false, true)]
    [InlineData(OutcomeKind.ContentPolicy, false, false, true)]
    [InlineData(OutcomeKind.Cancelled, false, false, false)]
    [InlineData(OutcomeKind.Success, false, false, false)]
    public void Each_outcome_has_one_retry_class(OutcomeKind kind, bool transient, bool accountSpecific, bool clientError)
    {
        Assert.Equal(transient, kind.IsTransientFailure());
        Assert.Equal(accountSpecific, kind.IsAccountSpecific());
        Assert.Equal(clientError, kind.IsClientError());
    }
}
