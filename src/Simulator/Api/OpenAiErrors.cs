using System.Globalization;
using ImageOrleans.Simulator.Engine;
using ImageOrleans.Simulator.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace ImageOrleans.Simulator.Api;

/// <summary>The errors the simulator answers with, worded like OpenAI's.</summary>
internal static class OpenAiErrors
{
    private const string InvalidRequest = "invalid_request_error";

    public static SimulatorError MissingApiKey() => new(
        StatusCodes.Status401Unauthorized,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the api-key header for Azure-style requests.",
        InvalidRequest,
        null,
        "invalid_api_key",
        SimulatorCounter.RefusedAuth);

    public static SimulatorError IncorrectApiKey(string maskedKey) => new(
        StatusCodes.Status401Unauthorized,
        $"Incorrect API key provided: {maskedKey}. You can find your API key at https://platform.openai.com/account/api-keys.",
        InvalidRequest,
        null,
        "invalid_api_key",
        SimulatorCounter.RefusedAuth);

    public static SimulatorError InsufficientQuota() => new(
        StatusCodes.Status429TooManyRequests,
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        "insufficient_quota",
        null,
        "insufficient_quota",
        SimulatorCounter.RefusedQuota);

    public static SimulatorError TooManyConcurrentRequests(int limit) => new(
        StatusCodes.Status429TooManyRequests,
        string.Create(CultureInfo.InvariantCulture, $"Too many concurrent requests for this API key: limit {limit}. Please wait for a request to finish before sending another."),
        "requests",
        null,
        "rate_limit_exceeded",
        SimulatorCounter.RefusedConcurrency,
        TimeSpan.FromSeconds(1));

    public static SimulatorError RateLimited(string model, RateLimitDecision decision)
    {
        var (type, window) = decision.Bucket == RateLimitBucket.Images
            ? ("images", "images per minute (IPM)")
            : ("requests", "requests per minute (RPM)");
        var message = decision.RetryAfter is { } retryAfter
            ? string.Create(CultureInfo.InvariantCulture, $"Rate limit reached for {model} on {window}: Limit {decision.Limit}, Used {decision.Used}, Requested {decision.Requested}. Please try again in {OpenAiDuration.Format(retryAfter)}.")
            : string.Create(CultureInfo.InvariantCulture, $"Request too large for {model} on {window}: Limit {decision.Limit}, Requested {decision.Requested}. The number of images requested must be reduced in order to run successfully.");
        return new SimulatorError(
            StatusCodes.Status429TooManyRequests, message, type, null, "rate_limit_exceeded", SimulatorCounter.RefusedRateLimit, decision.RetryAfter);
    }

    public static SimulatorError InvalidJson() => new(
        StatusCodes.Status400BadRequest,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        InvalidRequest,
        null,
        null,
        SimulatorCounter.RefusedInvalid);

    public static SimulatorError BodyTooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge,
        string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the limit of {limit} bytes."),
        InvalidRequest,
        null,
        "request_too_large",
        SimulatorCounter.RefusedInvalid);

    public static SimulatorError MissingParameter(string param) => new(
        StatusCodes.Status400BadRequest,
        $"Missing required parameter: '{param}'.",
        InvalidRequest,
        param,
        "missing_required_parameter",
        SimulatorCounter.RefusedInvalid);

    public static SimulatorError EmptyPrompt() => new(
        StatusCodes.Status400BadRequest,
        "Invalid 'prompt': string too short. Expected a string with minimum length 1, but got an empty string instead.",
        InvalidRequest,
        "prompt",
        "string_below_min_length",
        SimulatorCounter.RefusedInvalid);

    public static SimulatorError PromptTooLong(int maxLength, int length) => new(
        StatusCodes.Status400BadRequest,
        string.Create(CultureInfo.InvariantCulture, $"Invalid 'prompt': string too long. Expected a string with maximum length {maxLength}, but got a string with length {length} instead."),
        InvalidRequest,
        "prompt",
        "string_above_max_length",
        SimulatorCounter.RefusedInvalid);

    public static SimulatorError InvalidImageCount(int n, int min, int max) => n < min
        ? new(
            StatusCodes.Status400BadRequest,
            string.Create(CultureInfo.InvariantCulture, $"Invalid 'n': integer below minimum value. Expected a value >= {min}, but got {n} instead."),
            InvalidRequest,
            "n",
            "integer_below_min_value",
            SimulatorCounter.RefusedInvalid)
        : new(
            StatusCodes.Status400BadRequest,
            string.Create(CultureInfo.InvariantCulture, $"Invalid 'n': integer above maximum value. Expected a value <= {max}, but got {n} instead."),
            InvalidRequest,
            "n",
            "integer_above_max_value",
            SimulatorCounter.RefusedInvalid);

    public static SimulatorError InvalidValue(string param, string value, string supported) => new(
        StatusCodes.Status400BadRequest,
        $"Invalid value: '{value}'. Supported values are: {supported}.",
        InvalidRequest,
        param,
        "invalid_value",
        SimulatorCounter.RefusedInvalid);

    public static SimulatorError ModelNotFound(string model) => new(
        StatusCodes.Status404NotFound,
        $"The model `{model}` does not exist or you do not have access to it.",
        InvalidRequest,
        null,
        "model_not_found",
        SimulatorCounter.RefusedForbidden);

    public static SimulatorError ModelForbidden(string model) => new(
        StatusCodes.Status403Forbidden,
        $"Your organization must be verified to use the model `{model}`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.",
        InvalidRequest,
        null,
        "model_not_found",
        SimulatorCounter.RefusedForbidden);

    public static SimulatorError ContentPolicyViolation() => new(
        StatusCodes.Status400BadRequest,
        "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
        "image_generation_user_error",
        "prompt",
        "content_policy_violation",
        SimulatorCounter.ContentPolicy);

    public static SimulatorError ServerError() => new(
        StatusCodes.Status500InternalServerError,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        null,
        null,
        SimulatorCounter.FaultsServerError);

    public static SimulatorError ImageNotFound() => new(
        StatusCodes.Status404NotFound,
        "The requested image does not exist.",
        InvalidRequest,
        null,
        "not_found",
        null);

    public static SimulatorError InvalidControlRequest(string message) => new(
        StatusCodes.Status400BadRequest,
        message,
        InvalidRequest,
        null,
        "invalid_value",
        null);
}
