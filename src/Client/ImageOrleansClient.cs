using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ImageOrleans.Client.Serialization;

namespace ImageOrleans.Client;

/// <summary>Calls the ImageOrleans gateway's OpenAI-compatible Images API.</summary>
/// <remarks>
/// Headers are set per request rather than on <see cref="HttpClient.DefaultRequestHeaders"/>, so a shared
/// <see cref="HttpClient"/> never carries the key to another host, e.g. when downloading an image URL.
/// </remarks>
public sealed class ImageOrleansClient(HttpClient httpClient, ImageOrleansClientOptions options, TimeProvider? timeProvider = null)
{
    private const string PriorityHeader = "x-imageorleans-priority";
    private const string TimeoutHeader = "x-imageorleans-timeout-ms";
    private const string IdempotencyKeyHeader = "Idempotency-Key";
    private const string RequestIdHeader = "x-request-id";
    private const string CacheHeader = "x-imageorleans-cache";

    private readonly HttpClient _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
    private readonly TimeProvider _timeProvider = timeProvider ?? TimeProvider.System;

    // Copied so that later changes to the mutable options object cannot change a client in use.
    private readonly Uri _baseAddress = NormalizeBaseAddress(options);
    private readonly string _apiKey = options.ApiKey ?? "";
    private readonly TimeSpan _timeout = ValidateTimeout(options);

    /// <summary>Generates images from a prompt (<c>POST {BaseAddress}images/generations</c>).</summary>
    /// <exception cref="ImageOrleansException">The gateway answered with an error.</exception>
    /// <exception cref="TimeoutException">No complete answer within <see cref="ImageOrleansClientOptions.Timeout"/>.</exception>
    public Task<ImageGenerationResult> GenerateAsync(ImageGenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Prompt, nameof(request));
        return WithTimeoutAsync(token => SendGenerateAsync(request, token), cancellationToken);
    }

    /// <summary>Lists the ids of the models the gateway serves (<c>GET {BaseAddress}models</c>).</summary>
    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        WithTimeoutAsync(SendListModelsAsync, cancellationToken);

    /// <summary>Fetches an image returned by URL; the key is only sent when the URL points at the gateway itself.</summary>
    public Task<byte[]> DownloadAsync(Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var absolute = url.IsAbsoluteUri ? url : new Uri(_baseAddress, url);
        return WithTimeoutAsync(token => SendDownloadAsync(absolute, token), cancellationToken);
    }

    private async Task<ImageGenerationResult> SendGenerateAsync(ImageGenerationRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, "images/generations"));
        message.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, ClientJsonContext.Default.ImageGenerationRequest));
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        AddGatewayHeaders(message, request);

        using var response = await SendAsync(message, authenticate: true, cancellationToken).ConfigureAwait(false);
        var body = await ReadJsonAsync(response, ClientJsonContext.Default.ImagesResponseBody, cancellationToken).ConfigureAwait(false);
        return new ImageGenerationResult
        {
            Created = DateTimeOffset.FromUnixTimeSeconds(body.Created),
            Images = ToImages(body.Data, response),
            UsageJson = body.Usage is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } usage ? usage.GetRawText() : null,
            RequestId = FirstHeader(response, RequestIdHeader),
            CacheHit = string.Equals(FirstHeader(response, CacheHeader), "hit", StringComparison.OrdinalIgnoreCase),
        };
    }

    private async Task<IReadOnlyList<string>> SendListModelsAsync(CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress, "models"));
        using var response = await SendAsync(message, authenticate: true, cancellationToken).ConfigureAwait(false);
        var body = await ReadJsonAsync(response, ClientJsonContext.Default.ModelListBody, cancellationToken).ConfigureAwait(false);
        return [.. (body.Data ?? []).Select(model => model.Id).OfType<string>()];
    }

    private async Task<byte[]> SendDownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        var sameOrigin = Uri.Compare(url, _baseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        using var response = await SendAsync(message, authenticate: sameOrigin, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, bool authenticate, CancellationToken cancellationToken)
    {
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (authenticate && _apiKey.Length > 0)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        var response = await _httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ErrorResponseReader.ReadAsync(response, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddGatewayHeaders(HttpRequestMessage message, ImageGenerationRequest request)
    {
        if (!string.IsNullOrWhiteSpace(request.Priority))
        {
            message.Headers.Add(PriorityHeader, request.Priority);
        }

        if (request.TimeoutMs is { } timeoutMs)
        {
            message.Headers.Add(TimeoutHeader, timeoutMs.ToString(CultureInfo.InvariantCulture));
        }

        if (request.NoCache)
        {
            message.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        }

        if (!string.IsNullOrWhiteSpace(request.IdempotencyKey))
        {
            message.Headers.Add(IdempotencyKeyHeader, request.IdempotencyKey);
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("The body was the JSON literal null.");
            }
        }
        catch (JsonException exception)
        {
            throw Unreadable(response, exception);
        }
    }

    private List<GeneratedImage> ToImages(List<ImageDataBody>? data, HttpResponseMessage response)
    {
        var images = new List<GeneratedImage>(data?.Count ?? 0);
        foreach (var item in data ?? [])
        {
            byte[]? bytes;
            try
            {
                bytes = item.B64Json is null ? null : Convert.FromBase64String(item.B64Json);
            }
            catch (FormatException exception)
            {
                throw Unreadable(response, exception);
            }

            images.Add(new GeneratedImage
            {
                Bytes = bytes,
                Url = item.Url is null ? null : ResolveUrl(item.Url, response, _baseAddress),
                RevisedPrompt = item.RevisedPrompt,
            });
        }

        return images;
    }

    // On Unix "/v1/images/x.png" would parse as an absolute file:// URI, so a leading slash means relative here.
    private static Uri ResolveUrl(string url, HttpResponseMessage response, Uri baseAddress) =>
        !url.StartsWith('/') && Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute
        : Uri.TryCreate(url, UriKind.Relative, out var relative) ? new Uri(baseAddress, relative)
        : throw Unreadable(response, new FormatException($"'{url}' is not a URL."));

    private static ImageOrleansException Unreadable(HttpResponseMessage response, Exception exception) =>
        new((int)response.StatusCode, $"The gateway's answer could not be read: {exception.Message}", innerException: exception);

    private static string? FirstHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (_timeout == Timeout.InfiniteTimeSpan)
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }

        using var timeoutSource = new CancellationTokenSource(_timeout, _timeProvider);
        using var linkedSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await operation(linkedSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"The gateway did not answer within {_timeout.TotalSeconds:0.###} s."),
                exception);
        }
    }

    private static Uri NormalizeBaseAddress(ImageOrleansClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseAddress = options.BaseAddress
            ?? throw new ArgumentException("A base address is required.", nameof(options));
        if (!baseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException($"The base address '{baseAddress}' is not absolute.", nameof(options));
        }

        // Without the trailing slash, "images/generations" would resolve against the parent and lose "/v1".
        return baseAddress.AbsolutePath.EndsWith('/')
            ? baseAddress
            : new UriBuilder(baseAddress) { Path = baseAddress.AbsolutePath + "/" }.Uri;
    }

    private static TimeSpan ValidateTimeout(ImageOrleansClientOptions options) =>
        options.Timeout > TimeSpan.Zero || options.Timeout == Timeout.InfiniteTimeSpan
            ? options.Timeout
            : throw new ArgumentException($"The timeout must be positive or infinite, not {options.Timeout}.", nameof(options));
}
