using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ImageOrleans.Simulator.Api;

/// <summary>
/// Reads an edit or variation form the way OpenAI does and checks every part: images and the mask must
/// be real file parts (a filename and an image content type) whose bytes are PNG, JPEG or WebP, the mask
/// a PNG; an image sent as a text field is refused. Files are hashed as they stream past, never held.
/// </summary>
internal static class MultipartImageReader
{
    private const int MaxFieldBytes = 256 * 1024;

    public static async Task<(ImageGenerationRequest? Request, ReceivedEdit? Edit, SimulatorError? Error)> ReadAsync(
        HttpContext context, ImageEndpoint endpoint, string maskedKey)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var media)
            || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(media.Boundary).Value is not { Length: > 0 } boundary)
        {
            return (null, null, Invalid(null, "Invalid Content-Type header: expected multipart/form-data with a boundary.", "invalid_content_type"));
        }

        var reader = new MultipartReader(boundary, context.Request.Body) { BodyLengthLimit = null };
        var request = new ImageGenerationRequest();
        var images = new List<ReceivedPart>();
        ReceivedPart? mask = null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(context.RequestAborted)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
            {
                return (null, null, Invalid(null, "A part of the form has no name.", "invalid_multipart"));
            }

            var isFile = disposition.FileName.HasValue || disposition.FileNameStar.HasValue;
            var fileField = name is "image" or "image[]" || (name == "mask" && endpoint == ImageEndpoint.Edits);
            if (fileField && !isFile)
            {
                return (null, null, Invalid(name, $"Invalid type for '{name}': expected a file, but got a string instead.", "invalid_type"));
            }

            if (isFile)
            {
                if (!fileField)
                {
                    return (null, null, Invalid(name, $"Unrecognized file parameter: '{name}'.", "unknown_parameter"));
                }

                var part = await HashAsync(section, name, disposition.FileName.Value ?? disposition.FileNameStar.Value ?? string.Empty, context.RequestAborted);
                if (part.Error is { } error)
                {
                    return (null, null, error);
                }

                if (name == "mask")
                {
                    mask = part.Part;
                }
                else
                {
                    images.Add(part.Part!);
                }

                continue;
            }

            var value = await ReadFieldAsync(section, context.RequestAborted);
            if (value is null)
            {
                return (null, null, Invalid(name, $"Invalid '{name}': the value is too long.", "string_above_max_length"));
            }

            fields[name] = value;
            if (!Apply(request, name, value))
            {
                return (null, null, Invalid(name, $"Invalid value for '{name}': '{value}'.", "invalid_value"));
            }
        }

        if (images.Count == 0)
        {
            return (null, null, OpenAiErrors.MissingParameter("image"));
        }

        if (images.Count > 1 && images.Any(i => i.Name != "image[]"))
        {
            return (null, null, Invalid("image", "Several images go as repeated 'image[]' parts.", "invalid_value"));
        }

        if (endpoint == ImageEndpoint.Variations)
        {
            // Variations have no prompt; the synthetic image is seeded from the file instead.
            request.Prompt = "variation of " + images[0].Sha256;
        }

        return (request, new ReceivedEdit(maskedKey, endpoint.ToString(), images, mask, fields), null);
    }

    private static bool Apply(ImageGenerationRequest request, string name, string value)
    {
        switch (name)
        {
            case "prompt": request.Prompt = value; return true;
            case "model": request.Model = value; return true;
            case "size": request.Size = value; return true;
            case "quality": request.Quality = value; return true;
            case "background": request.Background = value; return true;
            case "output_format": request.OutputFormat = value; return true;
            case "moderation": request.Moderation = value; return true;
            case "response_format": request.ResponseFormat = value; return true;
            case "user": request.User = value; return true;
            case "n": return int.TryParse(value, out var n) && Set(() => request.N = n);
            case "output_compression": return int.TryParse(value, out var c) && Set(() => request.OutputCompression = c);
            case "partial_images": return int.TryParse(value, out var p) && Set(() => request.PartialImages = p);
            case "stream": return bool.TryParse(value, out var stream) && Set(() => request.Stream = stream);
            default: return true;
        }
    }

    private static bool Set(Action set)
    {
        set();
        return true;
    }

    private static async Task<(ReceivedPart? Part, SimulatorError? Error)> HashAsync(MultipartSection section, string name, string fileName, CancellationToken cancellationToken)
    {
        var contentType = section.ContentType ?? string.Empty;
        if (!contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Invalid(name, $"Invalid file '{fileName}': unsupported mimetype ('{contentType}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.", "unsupported_file_type"));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var head = new byte[12];
        var headLength = 0;
        long length = 0;
        try
        {
            int read;
            while ((read = await section.Body.ReadAsync(buffer.AsMemory(0, 64 * 1024), cancellationToken)) > 0)
            {
                var take = Math.Min(read, head.Length - headLength);
                buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                headLength += take;
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var format = head.AsSpan(0, headLength) switch
        {
            [0x89, 0x50, 0x4E, 0x47, ..] => "image/png",
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50] => "image/webp",
            _ => null,
        };
        if (format is null || (name == "mask" && format != "image/png"))
        {
            return (null, Invalid(name, $"Invalid file '{fileName}': the bytes are not a {(name == "mask" ? "PNG" : "PNG, JPEG or WebP")} image.", "invalid_image_format"));
        }

        return (new ReceivedPart(name, fileName, contentType, length, Convert.ToHexStringLower(hash.GetHashAndReset())), null);
    }

    private static async Task<string?> ReadFieldAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(section.Body);
        var buffer = new char[MaxFieldBytes + 1];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        return read > MaxFieldBytes ? null : new string(buffer, 0, read);
    }

    private static SimulatorError Invalid(string? param, string message, string code) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code, Engine.SimulatorCounter.RefusedInvalid);
}
