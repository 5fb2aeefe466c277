using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Secrets;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// The shared HTTP mechanics of OpenAI-shaped upstreams: body, timeout, reading and classifying
/// the answer. Subclasses say where the request goes and how it authenticates.
/// </summary>
public abstract class HttpUpstreamClient(IHttpClientFactory httpClients, TimeProvider time, UploadStore? uploads = null, StreamRelay? relay = null) : IUpstreamClient
{
    public const string HttpClientName = "upstream";

    // A generous ceiling on one answer: four 4K PNGs in base64 fit well inside it.
    private const int MaxResponseBytes = 256 * 1024 * 1024;

    /// <summary>Where the generation request is sent.</summary>
    protected abstract Uri BuildUri(UpstreamAccount account, ImageRequest request);

    /// <summary>Puts the account's credentials on the request.</summary>
    protected abstract void Authenticate(HttpRequestMessage message, UpstreamAccount account);

    /// <summary>Whether the body names the model (Azure names it through the deployment instead).</summary>
    protected virtual bool SendsModel => true;

    public async Task<UpstreamResult> GenerateAsync(UpstreamAccount account, ImageRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(account.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);

        // Whether response headers arrived: after that, a cut or a stall is in the body, not the call.
        var answered = false;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, BuildUri(account, request))
            {
                Content = UpstreamContent.Create(request, SendsModel, uploads) ?? throw new UploadUnavailableException(),
            };
            Authenticate(message, account);

            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            answered = true;
            if (request.Stream && relay is not null && response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                var events = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                await using (events.ConfigureAwait(false))
                {
                    return await UpstreamStreamReader.ReadAsync(events, request, relay, RateLimitHeaders.Read(response.Headers), () => time.GetElapsedTime(started), linked.Token).ConfigureAwait(false);
                }
            }

            var body = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
            return InterpretSafely(account, response, body, time.GetElapsedTime(started));
        }
        catch (UploadUnavailableException ex)
        {
            return new UpstreamResult { Kind = OutcomeKind.Cancelled, Sent = false, Latency = time.GetElapsedTime(started), Detail = ex.Message };
        }
        catch (SecretUnavailableException ex)
        {
            // The account's stored key cannot be opened here: the account is unusable (as for a 401),
            // the request goes to another account. Nothing was sent.
            return new UpstreamResult { Kind = OutcomeKind.Unauthorized, Sent = false, Latency = time.GetElapsedTime(started), Detail = ex.Message };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new UpstreamResult { Kind = OutcomeKind.Cancelled, Latency = time.GetElapsedTime(started), Detail = "client cancelled" };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new UpstreamResult
            {
                Kind = OutcomeKind.Timeout,
                Fault = answered ? UpstreamFault.SlowBody : UpstreamFault.Hang,
                Latency = time.GetElapsedTime(started),
                Detail = answered
                    ? $"the answer's body did not arrive within {account.Timeout.TotalSeconds:0} s"
                    : $"no answer within {account.Timeout.TotalSeconds:0} s",
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && answered)
        {
            // The upstream answered and the body was cut short: it did the work (and may bill it),
            // but what arrived cannot be used.
            return new UpstreamResult
            {
                Kind = OutcomeKind.MalformedResponse,
                Fault = UpstreamFault.Truncated,
                Latency = time.GetElapsedTime(started),
                Detail = $"the answer's body was cut short ({ex.GetType().Name})",
            };
        }
        catch (HttpRequestException ex)
        {
            return new UpstreamResult
            {
                Kind = OutcomeKind.ConnectionFailed,
                Fault = UpstreamFault.Reset,
                Latency = time.GetElapsedTime(started),
                Sent = ex.HttpRequestError is not (HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError),
                Detail = $"connection failed ({ex.HttpRequestError})",
            };
        }
        catch (IOException ex)
        {
            return new UpstreamResult
            {
                Kind = OutcomeKind.ConnectionFailed,
                Fault = UpstreamFault.Reset,
                Latency = time.GetElapsedTime(started),
                Detail = $"connection lost ({ex.GetType().Name})",
            };
        }
    }

    /// <summary>
    /// The answer's body, read once into an array of its size when the upstream says it (buffering the
    /// content first and copying it out, as <c>ReadAsByteArrayAsync</c> does, costs a second copy of every
    /// image), and bounded to <see cref="MaxResponseBytes"/> when it does not. A body cut short throws an
    /// <see cref="IOException"/>: the caller calls that a truncated answer.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength;
        if (length is > MaxResponseBytes)
        {
            throw TooLarge();
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (length is { } known)
            {
                var body = new byte[known];
                await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
                return body;
            }

            using var buffer = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxResponseBytes)
                    {
                        throw TooLarge();
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return buffer.ToArray();
        }

        static HttpRequestException TooLarge() => new(HttpRequestError.InvalidResponse, "The upstream answer is larger than the gateway accepts.");
    }

    /// <summary>Whatever the upstream answered, a classified outcome: reading its answer never throws past here.</summary>
    private UpstreamResult InterpretSafely(UpstreamAccount account, HttpResponseMessage response, byte[] body, TimeSpan latency)
    {
        try
        {
            return Interpret(account, response, body, latency);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or OverflowException or JsonException)
        {
            return new UpstreamResult
            {
                Kind = OutcomeKind.MalformedResponse,
                Fault = UpstreamFault.Malformed,
                StatusCode = (int)response.StatusCode,
                Latency = latency,
                Detail = $"the upstream answered HTTP {(int)response.StatusCode} with a response the gateway could not read ({ex.GetType().Name})",
            };
        }
    }

    private UpstreamResult Interpret(UpstreamAccount account, HttpResponseMessage response, byte[] body, TimeSpan latency)
    {
        var status = (int)response.StatusCode;
        var rateLimits = RateLimitHeaders.Read(response.Headers);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return UpstreamResponseParser.TryParseSuccess(body, out var images, out var created, out var usage, out var produced)
                ? new UpstreamResult
                {
                    Kind = OutcomeKind.Success,
                    StatusCode = status,
                    Images = images,
                    Created = created,
                    Usage = usage,
                    Produced = produced,
                    RateLimits = rateLimits,
                    Latency = latency,
                }
                : new UpstreamResult
                {
                    Kind = OutcomeKind.MalformedResponse,
                    Fault = UpstreamFault.Malformed,
                    StatusCode = status,
                    RateLimits = rateLimits,
                    Latency = latency,
                    Detail = "the upstream answered 200 with a body that is not an image response",
                };
        }

        var error = UpstreamResponseParser.ParseError(body, account.ApiKey);
        var kind = UpstreamErrorClassifier.Classify(status, error);
        return new UpstreamResult
        {
            Kind = kind,
            Fault = UpstreamErrorClassifier.FaultOf(kind),
            StatusCode = status,
            Error = error,
            RateLimits = rateLimits,
            RetryAfter = RateLimitHeaders.RetryAfter(response.Headers, time.GetUtcNow()),
            Latency = latency,
            Detail = $"HTTP {status}{(error?.Code is { } code ? $" {code}" : string.Empty)}",
        };
    }
}
