using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Secrets;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// An Azure OpenAI resource: <c>{endpoint}/openai/deployments/{deployment}/images/generations?api-version=…</c>
/// with the <c>api-key</c> header. The deployment comes from the account's model→deployment map.
/// </summary>
public sealed class AzureOpenAIUpstreamClient(IHttpClientFactory httpClients, TimeProvider time, SecretCipher secrets, UploadStore? uploads = null, StreamRelay? relay = null)
    : HttpUpstreamClient(httpClients, time, uploads, relay)
{
    public const string DefaultApiVersion = "2025-04-01-preview";

    protected override bool SendsModel => false;

    protected override Uri BuildUri(UpstreamAccount account, ImageRequest request)
    {
        var endpoint = BaseUrl.WithTrailingSlash(account.BaseUrl, null);
        var deployment = account.Deployments.TryGetValue(request.Model, out var named) ? named : request.Model;
        var version = string.IsNullOrEmpty(account.ApiVersion) ? DefaultApiVersion : account.ApiVersion;
        return new Uri(endpoint,
            $"openai/deployments/{Uri.EscapeDataString(deployment)}/{UpstreamContent.PathFor(request)}?api-version={Uri.EscapeDataString(version)}");
    }

    protected override void Authenticate(HttpRequestMessage message, UpstreamAccount account) =>
        message.Headers.TryAddWithoutValidation("api-key", secrets.Reveal(account.ApiKey, $"upstream account '{account.Id}'"));
}
