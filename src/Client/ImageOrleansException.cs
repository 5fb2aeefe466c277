namespace ImageOrleans.Client;

/// <summary>The gateway answered with an error, or with a response that could not be read.</summary>
public sealed class ImageOrleansException : Exception
{
    public ImageOrleansException()
        : this(0, "The ImageOrleans gateway request failed.")
    {
    }

    public ImageOrleansException(string message)
        : this(0, message)
    {
    }

    public ImageOrleansException(string message, Exception innerException)
        : this(0, message, innerException: innerException)
    {
    }

    public ImageOrleansException(
        int statusCode,
        string message,
        string? errorType = null,
        string? code = null,
        string? param = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
        Code = code;
        Param = param;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status; a 2xx status means the body of a successful answer could not be read.</summary>
    public int StatusCode { get; }

    /// <summary>OpenAI's <c>error.type</c>, e.g. <c>invalid_request_error</c>.</summary>
    public string? ErrorType { get; }

    /// <summary>OpenAI's <c>error.code</c>, e.g. <c>invalid_api_key</c>.</summary>
    public string? Code { get; }

    /// <summary>OpenAI's <c>error.param</c>: the request field at fault.</summary>
    public string? Param { get; }

    /// <summary>How long the gateway asked to wait before retrying (<c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; }
}
