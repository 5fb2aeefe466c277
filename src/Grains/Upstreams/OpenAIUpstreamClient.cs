using System.Net.Http.Headers;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Secrets;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>api.openai.com (or a base URL given for the account), Bearer key, optional organisation and project headers.</summary>
public sealed class OpenAIUpstreamClient(IHttpClientFactory httpClients, TimeProvider time, SecretCipher secrets, UploadStore? uploads = null, StreamRelay? relay = null)
    : HttpUpstreamClient(httpClients, time, uploads, relay)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.openai.com/v1/");

    protected override Uri BuildUri(UpstreamAccount account, ImageRequest request) =>
        new(BaseUrl.WithTrailingSlash(account.BaseUrl, DefaultBaseUrl), UpstreamContent.PathFor(request));

    protected override void Authenticate(HttpRequestMessage message, UpstreamAccount account)
    {
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets.Reveal(account.ApiKey, $"upstream account '{account.Id}'"));
        if (!string.IsNullOrEmpty(account.Organization))
        {
            message.Headers.TryAddWithoutValidation("OpenAI-Organization", account.Organization);
        }

        if (!string.IsNullOrEmpty(account.Project))
        {
            message.Headers.TryAddWithoutValidation("OpenAI-Project", account.Project);
        }
    }
}
