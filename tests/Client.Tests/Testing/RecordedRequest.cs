namespace ImageOrleans.Client.Tests.Testing;

/// <summary>A request as the stub saw it, copied because the client disposes the original once it has the answer.</summary>
public sealed class RecordedRequest
{
    private readonly Dictionary<string, string> _headers;

    private RecordedRequest(HttpMethod method, Uri uri, Dictionary<string, string> headers, string? body)
    {
        Method = method;
        Uri = uri;
        _headers = headers;
        Body = body;
    }

    public HttpMethod Method { get; }

    public Uri Uri { get; }

    public string? Body { get; }

    public IReadOnlyCollection<string> HeaderNames => _headers.Keys;

    /// <summary>The header's values joined with ", ", or null when it was not sent; content headers included.</summary>
    public string? Header(string name) => _headers.GetValueOrDefault(name);

    public static async Task<RecordedRequest> CaptureAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        string? body = null;
        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }

            body = await request.Content.ReadAsStringAsync(cancellationToken);
        }

        return new RecordedRequest(request.Method, request.RequestUri!, headers, body);
    }
}
