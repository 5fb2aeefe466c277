using System.Globalization;
using ImageOrleans.Grains.Images;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Api;

/// <summary>Creates and checks the signed, expiring links under <c>/v1/images/content/{id}</c>.</summary>
public sealed class ImageLinks(ImageUrlSigner signer, IOptions<ImagesOptions> options, LinkOrigin origins, TimeProvider time)
{
    public string Create(HttpRequest request, string imageId) => Create(origins.Of(request, options.Value.PublicBaseUrl), imageId);

    /// <summary>A link for a request that did not come over the HTTP front door (gRPC): its public base URL, else the HTTP address.</summary>
    public string CreateForHttpFrontDoor(string imageId) => Create(origins.Of(null, options.Value.PublicBaseUrl), imageId);

    private string Create(string origin, string imageId)
    {
        var expires = (time.GetUtcNow() + options.Value.UrlLifetime).ToUnixTimeSeconds();
        var signature = signer.Sign(imageId, expires);
        return string.Create(CultureInfo.InvariantCulture, $"{origin}/v1/images/content/{imageId}?expires={expires}&signature={signature}");
    }

    public bool Verify(string imageId, long expires, string? signature) => signer.Verify(imageId, expires, signature, time.GetUtcNow());

    public TimeSpan Remaining(long expires) =>
        TimeSpan.FromSeconds(Math.Max(0, expires - time.GetUtcNow().ToUnixTimeSeconds()));
}
