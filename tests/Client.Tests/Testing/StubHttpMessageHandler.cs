namespace ImageOrleans.Client.Tests.Testing;

/// <summary>Answers every request from a function and keeps a copy of what was sent, in order.</summary>
public sealed class StubHttpMessageHandler(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond)
    : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public StubHttpMessageHandler(Func<RecordedRequest, HttpResponseMessage> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The only request sent; fails when there were none or several.</summary>
    public RecordedRequest SingleRequest => Assert.Single(Requests);

    /// <summary>Answers every request with the same canned response.</summary>
    public static StubHttpMessageHandler Always(Func<HttpResponseMessage> response) => new(_ => response());

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var recorded = await RecordedRequest.CaptureAsync(request, cancellationToken);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        var response = await respond(recorded, cancellationToken);
        response.RequestMessage = request;
        return response;
    }
}
