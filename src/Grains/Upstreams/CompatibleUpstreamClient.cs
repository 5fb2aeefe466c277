using System.Net.Http.Headers;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Secrets;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Any OpenAI-compatible images endpoint at the account's base URL, Bearer key. Simulated accounts
/// use it too, against the embedded simulator when they name no base URL of their own.
/// </summary>
public sealed class CompatibleUpstreamClient(
    IHttpClientFactory httpClients, TimeProvider time, EmbeddedSimulatorEndpoint simulator, SecretCipher secrets, UploadStore? uploads = null, StreamRelay? relay = null)
    : HttpUpstreamClient(httpClients, time, uploads, relay)
{
    protected override Uri BuildUri(UpstreamAccount account, ImageRequest request)
    {
        var fallback = account.Kind == UpstreamKind.Simulated ? simulator.ApiBase : null;
        return new(BaseUrl.WithTrailingSlash(account.BaseUrl, fallback), UpstreamContent.PathFor(request));
    }

    protected override void Authenticate(HttpRequestMessage message, UpstreamAccount account)
    {
        if (!account.ApiKey.IsEmpty)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets.Reveal(account.ApiKey, $"upstream account '{account.Id}'"));
        }
    }
}
