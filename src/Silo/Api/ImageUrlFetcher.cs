using System.Globalization;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// Brings the <c>image_url</c> inputs of a JSON edit into the upload store: a <c>data:</c> URL is
/// decoded, an http(s) URL is fetched under the egress policy (allowed hosts, no metadata addresses, no
/// redirects, no proxy), streamed to disk within the per-file limit like an uploaded part.
/// </summary>
public sealed class ImageUrlFetcher(IHttpClientFactory httpClients, EgressPolicy egress, UploadStore uploads, IOptions<UploadOptions> options)
{
    public const string HttpClientName = "edit-inputs";

    public async Task<(InputImage? Image, GatewayError? Error)> FetchAsync(string param, string url, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxFileBytes;
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !url.AsSpan(0, comma).EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                return (null, GatewayErrors.Invalid(param, $"Invalid '{param}': a data URL must be base64, e.g. data:image/png;base64,….", "invalid_image_url"));
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(url[(comma + 1)..]);
            }
            catch (FormatException)
            {
                return (null, GatewayErrors.Invalid(param, $"Invalid '{param}': the data URL is not valid base64.", "invalid_image_url"));
            }

            return await SaveAsync(param, new MemoryStream(bytes), "image", limit, cancellationToken);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, GatewayErrors.Invalid(param, $"Invalid '{param}': use an http(s) URL or a base64 data URL.", "invalid_image_url"));
        }

        if (egress.Refusal(uri) is { } refusal)
        {
            return (null, GatewayErrors.Invalid(param, $"Invalid '{param}': {refusal}", "image_url_not_allowed"));
        }

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (null, GatewayErrors.Invalid(param, string.Create(CultureInfo.InvariantCulture,
                    $"Invalid '{param}': fetching the image answered HTTP {(int)response.StatusCode}."), "image_url_unreachable"));
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await SaveAsync(param, body, Path.GetFileName(uri.AbsolutePath), limit, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return (null, GatewayErrors.Invalid(param, $"Invalid '{param}': the image could not be fetched ({ex.HttpRequestError}).", "image_url_unreachable"));
        }
    }

    private async Task<(InputImage?, GatewayError?)> SaveAsync(string param, Stream source, string name, long limit, CancellationToken cancellationToken)
    {
        try
        {
            return (await uploads.SaveAsync(source, name, limit, cancellationToken), null);
        }
        catch (UploadTooLargeException)
        {
            return (null, GatewayErrors.Invalid(param, string.Create(CultureInfo.InvariantCulture, $"Invalid '{param}': the image is larger than {limit} bytes."), "file_too_large"));
        }
    }
}
