using System.Globalization;
using ImageOrleans.Simulator.Engine;
using ImageOrleans.Simulator.Imaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ImageOrleans.Simulator.Api;

/// <summary>The OpenAI and Azure OpenAI image generation routes, and the image files behind response_format=url.</summary>
internal static class ImagesApi
{
    public static IEndpointRouteBuilder MapImagesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/images/generations", (HttpContext context, [FromServices] ImageGenerationHandler handler) =>
                handler.HandleAsync(context, deployment: null))
            .WithName("ImageSimulator.Generate")
            .WithSummary("Generates images (OpenAI shape, Authorization: Bearer).");

        endpoints.MapPost("/openai/deployments/{deployment}/images/generations", (HttpContext context, string deployment, [FromServices] ImageGenerationHandler handler) =>
                handler.HandleAsync(context, deployment))
            .WithName("ImageSimulator.GenerateAzure")
            .WithSummary("Generates images (Azure OpenAI shape, api-key header; the deployment is the default model).");

        endpoints.MapPost("/v1/images/edits", (HttpContext context, [FromServices] ImageGenerationHandler handler) =>
                handler.HandleAsync(context, deployment: null, ImageEndpoint.Edits))
            .WithName("ImageSimulator.Edit")
            .WithSummary("Edits images (multipart: image or image[] files, optional PNG mask); every part is checked.");

        endpoints.MapPost("/v1/images/variations", (HttpContext context, [FromServices] ImageGenerationHandler handler) =>
                handler.HandleAsync(context, deployment: null, ImageEndpoint.Variations))
            .WithName("ImageSimulator.Variation")
            .WithSummary("Makes variations of one image (multipart).");

        endpoints.MapPost("/openai/deployments/{deployment}/images/edits", (HttpContext context, string deployment, [FromServices] ImageGenerationHandler handler) =>
                handler.HandleAsync(context, deployment, ImageEndpoint.Edits))
            .WithName("ImageSimulator.EditAzure")
            .WithSummary("Edits images (Azure OpenAI shape).");

        endpoints.MapGet("/sim/images/{id}", GetImage)
            .WithName(ImageGenerationHandler.ImageEndpointName)
            .WithSummary("Serves an image generated with response_format=url; it is re-rendered from its id, nothing is stored.");

        return endpoints;
    }

    private static Task GetImage(HttpContext context, string id, [FromServices] SimulatorEngine engine)
    {
        if (id.Length != 16 || !ulong.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var seed))
        {
            return OpenAiErrorResponder.WriteAsync(context, OpenAiErrors.ImageNotFound());
        }

        var png = SyntheticImage.RenderPng(seed, engine.ImageWidth, engine.ImageHeight);
        context.Response.ContentType = "image/png";
        context.Response.ContentLength = png.Length;
        return context.Response.Body.WriteAsync(png, context.RequestAborted).AsTask();
    }
}
