using System.Globalization;

namespace ImageOrleans.Grains.Errors;

/// <summary>The gateway's vocabulary of errors, so every place that fails speaks the same OpenAI shape.</summary>
public static class GatewayErrors
{
    public const string InvalidRequestType = "invalid_request_error";
    public const string ServerErrorType = "server_error";
    public const string RateLimitType = "rate_limit_error";
    public const string InsufficientQuotaType = "insufficient_quota";

    public const string PoolUnavailableCode = "pool_unavailable";
    public const string PoolSaturatedCode = "pool_saturated";
    public const string CancelledCode = "client_closed_request";

    public static GatewayError Invalid(string? param, string message, string? code = "invalid_value") => new()
    {
        Status = 400, Type = InvalidRequestType, Message = message, Param = param, Code = code,
    };

    public static GatewayError Missing(string param) =>
        Invalid(param, $"Missing required parameter: '{param}'.", "missing_required_parameter");

    public static GatewayError WrongType(string param, string expected, string actual) =>
        Invalid(param, $"Invalid type for '{param}': expected {expected}, but got {actual} instead.", "invalid_type");

    public static GatewayError UnknownParameter(string param)
    {
        // The name is the client's own text: echo a bounded piece of it, not a megabyte.
        var name = param.Length <= 64 ? param : param[..64] + "…";
        return Invalid(name, $"Unrecognized request argument supplied: {name}", "unknown_parameter");
    }

    /// <summary>Text that is not text: invalid UTF-8 bytes or an unpaired surrogate escape such as <c>\ud800</c>.</summary>
    public static GatewayError InvalidEncoding(string? param, string what) =>
        Invalid(param, $"{what} is not valid text: it has invalid UTF-8 bytes or an unpaired surrogate escape such as \\ud800. Send UTF-8.", "invalid_encoding");

    public static GatewayError DuplicateParameter(string param) =>
        Invalid(param, $"The property '{param}' appears more than once in the body; send each property once.", "duplicate_parameter");

    public static GatewayError InvalidJson(string detail) =>
        Invalid(null, $"We could not parse the JSON body of your request. ({detail})", "invalid_json");

    /// <summary>A model the provider shut down, asked for where no account serves it and no alias maps it.</summary>
    public static GatewayError ModelRetired(string model, string shutdownDate, string? successor) => new()
    {
        Status = 404,
        Type = InvalidRequestType,
        Message = successor is null
            ? $"The model '{model}' was shut down on {shutdownDate} and is no longer served."
            : $"The model '{model}' was shut down on {shutdownDate}; use '{successor}' instead.",
        Param = "model",
        Code = "model_not_found",
    };

    public static GatewayError ModelNotFound(string model) => new()
    {
        Status = 404,
        Type = InvalidRequestType,
        Message = $"The model '{model}' does not exist or is not served by any account in this gateway's pool.",
        Param = "model",
        Code = "model_not_found",
    };

    public static GatewayError MissingApiKey() => new()
    {
        Status = 401,
        Type = InvalidRequestType,
        Message = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        Code = "missing_api_key",
    };

    public static GatewayError InvalidApiKey() => new()
    {
        Status = 401,
        Type = InvalidRequestType,
        Message = "Incorrect API key provided. Use a client key issued by this gateway.",
        Code = "invalid_api_key",
    };

    public static GatewayError BodyTooLarge(long limit) => new()
    {
        Status = 413,
        Type = InvalidRequestType,
        Message = string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the limit of {limit} bytes."),
        Code = "request_too_large",
    };

    public static GatewayError UnsupportedMediaType(string? contentType) => new()
    {
        Status = 415,
        Type = InvalidRequestType,
        Message = $"Unsupported content type '{contentType ?? "(none)"}'. Send the request body as application/json.",
        Code = "unsupported_media_type",
    };

    public static GatewayError PoolSaturated(TimeSpan retryAfter) => new()
    {
        Status = 503,
        Type = ServerErrorType,
        Message = string.Create(CultureInfo.InvariantCulture,
            $"Every upstream account is at capacity and the wait queue is full. Retry after {Math.Ceiling(retryAfter.TotalSeconds)} s."),
        Code = PoolSaturatedCode,
        RetryAfter = retryAfter,
    };

    public static GatewayError PoolUnavailable(string model, TimeSpan? retryAfter) => new()
    {
        Status = 503,
        Type = ServerErrorType,
        Message = $"No upstream account can serve '{model}' right now (all disabled, failing or cooling down).",
        Code = PoolUnavailableCode,
        RetryAfter = retryAfter,
    };

    public static GatewayError DeadlineExceeded(TimeSpan waited) => new()
    {
        Status = 504,
        Type = ServerErrorType,
        Message = string.Create(CultureInfo.InvariantCulture,
            $"The request waited {waited.TotalMilliseconds:0} ms for pool capacity and its deadline passed before an account became free. No upstream call was made."),
        Code = "queue_timeout",
    };

    public static GatewayError UpstreamTimeout(int attempts) => new()
    {
        Status = 504,
        Type = ServerErrorType,
        Message = string.Create(CultureInfo.InvariantCulture, $"The upstream image service did not answer in time ({attempts} attempt(s))."),
        Code = "upstream_timeout",
    };

    public static GatewayError UpstreamFailed(int attempts, string detail) => new()
    {
        Status = 502,
        Type = ServerErrorType,
        Message = string.Create(CultureInfo.InvariantCulture, $"The upstream image service failed ({attempts} attempt(s)): {detail}"),
        Code = "upstream_error",
    };

    public static GatewayError PriorityNotAllowed(string header, string requested, string allowed) => new()
    {
        Status = 403,
        Type = InvalidRequestType,
        Message = $"This client key may not ask for priority '{requested}'; its highest allowed priority is '{allowed}'.",
        Param = header,
        Code = "priority_not_allowed",
    };

    public static GatewayError ModelNotAllowed(string model) => new()
    {
        Status = 403,
        Type = InvalidRequestType,
        Message = $"This client key may not use the model '{model}'.",
        Param = "model",
        Code = "model_not_allowed",
    };

    public static GatewayError KeyRateLimited(TimeSpan retryAfter, string message) => new()
    {
        Status = 429,
        Type = "requests",
        Message = string.Create(CultureInfo.InvariantCulture, $"{message} Please try again in {Math.Ceiling(retryAfter.TotalSeconds)}s."),
        Code = "rate_limit_exceeded",
        RetryAfter = retryAfter,
    };

    public static GatewayError BudgetExceeded(decimal available) => new()
    {
        Status = 429,
        Type = InsufficientQuotaType,
        Message = string.Create(CultureInfo.InvariantCulture,
            $"This client key's budget cannot pay for this request ({Math.Max(0m, available):0.######} USD left). Ask for a cheaper quality or size, or raise the budget."),
        Code = "budget_exceeded",
    };

    public static GatewayError ShuttingDown() => new()
    {
        Status = 503,
        Type = ServerErrorType,
        Message = "The gateway node holding this request is shutting down before capacity became free. Retry; another node will take it.",
        Code = "node_shutting_down",
        RetryAfter = TimeSpan.FromSeconds(1),
    };

    public static GatewayError ClusterUnavailable() => new()
    {
        Status = 503,
        Type = ServerErrorType,
        Message = "The gateway node handling this request became unavailable (it stopped or lost contact with the cluster). Retry.",
        Code = "node_unavailable",
        RetryAfter = TimeSpan.FromSeconds(1),
    };

    public static GatewayError Cancelled() => new()
    {
        Status = 499,
        Type = InvalidRequestType,
        Message = "The client closed the request before it completed.",
        Code = CancelledCode,
    };

    public static GatewayError Internal(string requestId) => new()
    {
        Status = 500,
        Type = ServerErrorType,
        Message = $"The gateway had an internal error while processing your request. Quote request id {requestId} when reporting it.",
        Code = "internal_error",
    };
}
