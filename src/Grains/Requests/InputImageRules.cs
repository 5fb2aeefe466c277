using System.Globalization;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Models;

namespace ImageOrleans.Grains.Requests;

/// <summary>
/// Checks the files of an edit or variation against the model's rules from the catalogue, each error
/// naming its part (<c>image</c>, <c>image[2]</c>, <c>mask</c>) the way OpenAI names parameters.
/// </summary>
public static class InputImageRules
{
    private static readonly string[] GptFormats = [ImageHeader.Png, ImageHeader.Jpeg, ImageHeader.Webp];
    private static readonly string[] DallE2Formats = [ImageHeader.Png];
    private const long DallE2MaxBytes = 4L * 1024 * 1024;

    public static GatewayError? Check(
        ModelSpec? spec, string model, ImageOperation operation, IReadOnlyList<InputImage> images, InputImage? mask, string? inputFidelity)
    {
        var supported = operation == ImageOperation.Edit ? spec?.SupportsEdits ?? true : spec?.SupportsVariations ?? false;
        if (!supported)
        {
            // No account can make variations with this model: as for a model nobody serves.
            return operation == ImageOperation.Edit
                ? GatewayErrors.Invalid("model", $"Invalid 'model': {model} does not support image edits.", "unsupported_model")
                : GatewayErrors.ModelNotFound(model) with { Message = $"The model '{model}' does not support image variations, or no account of this gateway's pool serves one that does." };
        }

        if (images.Count == 0)
        {
            return GatewayErrors.Missing("image");
        }

        var max = operation == ImageOperation.Variation ? 1 : spec?.MaxInputImages ?? 16;
        if (images.Count > max)
        {
            return GatewayErrors.Invalid("image", string.Create(CultureInfo.InvariantCulture,
                $"Invalid 'image': {model} accepts at most {max} image(s) per request, but got {images.Count}."), "too_many_images");
        }

        // GPT image models take PNG, JPEG and WebP; dall-e-2 (edits and variations) square PNGs under 4 MB.
        var legacy = spec is { AlwaysBase64: false };
        var formats = legacy ? DallE2Formats : GptFormats;
        for (var i = 0; i < images.Count; i++)
        {
            var param = images.Count == 1 ? "image" : string.Create(CultureInfo.InvariantCulture, $"image[{i}]");
            var image = images[i];
            if (image.Width == 0 || !formats.Any(f => image.ContentType == $"image/{f}"))
            {
                return GatewayErrors.Invalid(param, $"Invalid '{param}': the file is not a supported image. Use {string.Join(", ", formats)}.", "invalid_image_format");
            }

            if (legacy && (image.Width != image.Height || image.Length > DallE2MaxBytes))
            {
                return GatewayErrors.Invalid(param, $"Invalid '{param}': {model} needs a square PNG smaller than 4 MB.", "invalid_image");
            }
        }

        if (mask is not null)
        {
            if (operation != ImageOperation.Edit)
            {
                return GatewayErrors.UnknownParameter("mask");
            }

            if (mask.ContentType != "image/png" || mask.Width == 0)
            {
                return GatewayErrors.Invalid("mask", "Invalid 'mask': the mask must be a PNG file.", "invalid_image_format");
            }

            if (!mask.HasAlpha)
            {
                return GatewayErrors.Invalid("mask", "Invalid 'mask': the mask must have an alpha channel; its transparent pixels mark what to edit.", "invalid_mask");
            }

            if (mask.Width != images[0].Width || mask.Height != images[0].Height)
            {
                return GatewayErrors.Invalid("mask", string.Create(CultureInfo.InvariantCulture,
                    $"Invalid 'mask': the mask is {mask.Width}x{mask.Height} but the first image is {images[0].Width}x{images[0].Height}; they must be the same size."), "invalid_mask");
            }
        }

        if (inputFidelity is not null)
        {
            if (operation != ImageOperation.Edit || spec is { InputFidelities.Count: 0 })
            {
                return GatewayErrors.Invalid("input_fidelity", $"Invalid 'input_fidelity': the model {model} does not support this parameter.", "unsupported_parameter");
            }

            if (spec is not null && !spec.InputFidelities.Contains(inputFidelity, StringComparer.Ordinal))
            {
                return GatewayErrors.Invalid("input_fidelity", $"Invalid value: '{inputFidelity}'. Supported values are: {string.Join(" and ", spec.InputFidelities.Select(f => $"'{f}'"))}.");
            }
        }

        return null;
    }
}
