using System.Globalization;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Telemetry;
using Microsoft.Net.Http.Headers;

namespace ImageOrleans.Silo.Api;

public static class ImagesApi
{
    public static IEndpointRouteBuilder MapImagesApi(this IEndpointRouteBuilder routes)
    {
        var images = routes.MapGroup("/v1/images").WithTags("Images");

        images.MapPost("/generations", (HttpContext http, ImageGenerationHandler handler) => handler.HandleAsync(http))
            .AddEndpointFilter<RequestTelemetryFilter>()
            .AddEndpointFilter<ClientAuthenticationFilter>()
            .WithName("CreateImage")
            .WithSummary("Generates images from a prompt across the account pool (OpenAI Images API).");

        images.MapPost("/edits", (HttpContext http, ImageEditHandler handler) => handler.HandleAsync(http, ImageOperation.Edit))
            .AddEndpointFilter<RequestTelemetryFilter>()
            .AddEndpointFilter<ClientAuthenticationFilter>()
            .WithName("CreateImageEdit")
            .WithSummary("Edits images (multipart: up to 16 images, optional mask) across the account pool.");

        images.MapPost("/variations", (HttpContext http, ImageEditHandler handler) => handler.HandleAsync(http, ImageOperation.Variation))
            .AddEndpointFilter<RequestTelemetryFilter>()
            .AddEndpointFilter<ClientAuthenticationFilter>()
            .WithName("CreateImageVariation")
            .WithSummary("Makes variations of one image, on accounts serving a model that supports them.");

        // No API key here: the link itself is the credential, as with the upstream's own image URLs.
        images.MapGet("/content/{imageId}", ServeContentAsync)
            .WithName("GetImageContent")
            .WithSummary("Serves a generated image through a signed link that expires.");
        return routes;
    }

    private static async Task<IResult> ServeContentAsync(
        HttpContext http, string imageId, long? expires, string? signature, ImageLinks links, IImageStore store)
    {
        // Taken as the type it is sent as, never sniffed into something a browser would run.
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        if (!ImageIds.IsValid(imageId) || expires is null || !links.Verify(imageId, expires.Value, signature))
        {
            return OpenAIErrors.Result(new GatewayError
            {
                Status = 403,
                Type = GatewayErrors.InvalidRequestType,
                Message = "This image link is invalid or has expired. Generate the image again for a fresh link.",
                Code = "invalid_image_link",
            });
        }

        var stream = await store.OpenReadAsync(imageId, http.RequestAborted);
        if (stream is null)
        {
            return OpenAIErrors.Result(new GatewayError
            {
                Status = 404,
                Type = GatewayErrors.InvalidRequestType,
                Message = "The image is no longer stored.",
                Code = "image_not_found",
            });
        }

        http.Response.Headers[HeaderNames.CacheControl] = string.Create(CultureInfo.InvariantCulture,
            $"private, max-age={(long)links.Remaining(expires.Value).TotalSeconds}");
        return Results.Stream(stream, ImageFormat.FromId(imageId).ContentType, enableRangeProcessing: true);
    }
}
