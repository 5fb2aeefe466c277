using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Makes one image generation call on one upstream account. Never throws for upstream failures: they come back classified.</summary>
public interface IUpstreamClient
{
    Task<UpstreamResult> GenerateAsync(UpstreamAccount account, ImageRequest request, CancellationToken cancellationToken);
}
