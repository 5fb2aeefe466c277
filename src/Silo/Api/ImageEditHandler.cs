using System.Globalization;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Pipeline;
using ImageOrleans.Silo.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ImageOrleans.Silo.Hosting;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// <c>POST /v1/images/edits</c> and <c>POST /v1/images/variations</c>: reads the multipart form part by
/// part, streaming each file into the upload store (bounded memory, sizes and count limited), refuses a
/// file sent as a text field, runs the same pipeline as generations, and deletes the uploads at the end.
/// </summary>
public sealed class ImageEditHandler(
    GenerationPipeline pipeline,
    ImageGenerationHandler answers,
    UploadStore uploads,
    JsonEditReader jsonEdits,
    IOptions<UploadOptions> options,
    IOptions<FrontDoorOptions> frontDoor)
{
    private const int MaxTextFieldBytes = 256 * 1024;
    private const int MaxTextFields = 32;

    public async Task<IResult> HandleAsync(HttpContext http, ImageOperation operation)
    {
        var limits = options.Value;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            // Room for every file at its limit, plus the text fields and the multipart framing.
            bodySize.MaxRequestBodySize = limits.MaxTotalBytes + (4L * 1024 * 1024);
        }

        var saved = new List<InputImage>();
        try
        {
            var (form, error) = operation == ImageOperation.Edit && IsJson(http.Request.ContentType)
                ? await ReadJsonAsync(http, saved)
                : await ReadFormAsync(http, operation, limits, saved);
            if (error is not null)
            {
                return OpenAIErrors.Result(error);
            }

            var call = answers.CallFrom(http, form!.Input) with { Operation = operation, Images = form.Images, Mask = form.Mask };
            if (form.Input.Stream)
            {
                return await answers.StreamAsync(http, call, "image_edit");
            }

            var outcome = await pipeline.RunAsync(call, http.RequestAborted);
            http.Features.Get<RequestRecord>()?.Completed(outcome);
            return answers.Answer(http, outcome);
        }
        finally
        {
            uploads.Delete(saved);
        }
    }

    private async Task<(EditForm? Form, GatewayError? Error)> ReadFormAsync(
        HttpContext http, ImageOperation operation, UploadOptions limits, List<InputImage> saved)
    {
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(media.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return (null, GatewayErrors.Invalid(null,
                "This endpoint takes multipart/form-data: the images as file parts ('image' or 'image[]', and 'mask'), the other parameters as fields.",
                "unsupported_media_type") with { Status = 415 });
        }

        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersLengthLimit = 16 * 1024,
            BodyLengthLimit = Math.Max(limits.MaxFileBytes, MaxTextFieldBytes) + 1,
        };
        var input = new ImageRequestInput();
        var images = new List<InputImage>();
        InputImage? mask = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        var fields = 0;
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(http.RequestAborted)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
            {
                return (null, GatewayErrors.Invalid(null, "Every part of the form needs a Content-Disposition: form-data header with a name.", "invalid_multipart"));
            }

            var isFile = disposition.FileName.HasValue || disposition.FileNameStar.HasValue;
            var fileField = name is "image" or "image[]" || (name == "mask" && operation == ImageOperation.Edit);
            if (fileField != isFile)
            {
                return (null, fileField
                    ? GatewayErrors.Invalid(name, $"Invalid '{name}': send it as a file part (with a filename), not as a text field.", "invalid_type")
                    : GatewayErrors.Invalid(name, $"Invalid '{name}': a text field was expected, not a file.", "invalid_type"));
            }

            if (isFile)
            {
                if (name != "mask" && images.Count >= limits.MaxFiles)
                {
                    return (null, GatewayErrors.Invalid(name, string.Create(CultureInfo.InvariantCulture,
                        $"Invalid '{name}': at most {limits.MaxFiles} images per request."), "too_many_images"));
                }

                if (name == "mask" && mask is not null)
                {
                    return (null, GatewayErrors.DuplicateParameter("mask"));
                }

                var param = name == "mask" ? "mask" : string.Create(CultureInfo.InvariantCulture, $"image[{images.Count}]");
                var allowed = Math.Min(limits.MaxFileBytes, limits.MaxTotalBytes - total);
                InputImage file;
                try
                {
                    file = await uploads.SaveAsync(section.Body, (disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value, allowed, http.RequestAborted);
                }
                catch (UploadTooLargeException)
                {
                    return (null, GatewayErrors.Invalid(param, string.Create(CultureInfo.InvariantCulture,
                        $"Invalid '{param}': the file is too large. Each file may have {limits.MaxFileBytes} bytes and all files together {limits.MaxTotalBytes}."), "file_too_large"));
                }

                saved.Add(file);
                total += file.Length;
                if (name == "mask")
                {
                    mask = file;
                }
                else
                {
                    images.Add(file);
                }

                continue;
            }

            if (++fields > MaxTextFields || !seen.Add(name))
            {
                return (null, GatewayErrors.DuplicateParameter(name));
            }

            var value = await ReadTextAsync(section, http.RequestAborted);
            if (value is null)
            {
                return (null, GatewayErrors.Invalid(name, $"Invalid '{name}': the field is too long.", "string_above_max_length"));
            }

            if (Apply(input, name, value, operation) is not { } applied)
            {
                return (null, FieldError(name, value, operation));
            }

            input = applied;
        }

        return (new EditForm(input, images, mask), null);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The JSON form of an edit (GPT image models), read by the <see cref="JsonEditReader"/> an edits batch uses too.</summary>
    private async Task<(EditForm? Form, GatewayError? Error)> ReadJsonAsync(HttpContext http, List<InputImage> saved)
    {
        var (body, bodyError) = await JsonBody.ReadAsync(http.Request, frontDoor.Value.MaxRequestBodyBytes);
        if (bodyError is not null)
        {
            return (null, bodyError);
        }

        var (edit, error) = await jsonEdits.ReadAsync(body, saved, http.RequestAborted);
        return edit is null ? (null, error) : (new EditForm(edit.Input, [.. edit.Images], edit.Mask), null);
    }

    private static ImageRequestInput? Apply(ImageRequestInput input, string name, string value, ImageOperation operation) => name switch
    {
        "prompt" when operation == ImageOperation.Edit => input with { Prompt = value },
        "model" => input with { Model = value },
        "n" => Int(value) is { } n ? input with { N = n } : null,
        "size" => input with { Size = value },
        "response_format" => input with { ResponseFormat = value },
        "user" => input with { User = value },
        "quality" when operation == ImageOperation.Edit => input with { Quality = value },
        "background" when operation == ImageOperation.Edit => input with { Background = value },
        "output_format" when operation == ImageOperation.Edit => input with { OutputFormat = value },
        "output_compression" when operation == ImageOperation.Edit => Int(value) is { } c ? input with { OutputCompression = c } : null,
        "moderation" when operation == ImageOperation.Edit => input with { Moderation = value },
        "input_fidelity" when operation == ImageOperation.Edit => input with { InputFidelity = value },
        "partial_images" when operation == ImageOperation.Edit => Int(value) is { } p ? input with { PartialImages = p } : null,
        "stream" when operation == ImageOperation.Edit => value switch
        {
            "true" or "True" => input with { Stream = true },
            "false" or "False" => input with { Stream = false },
            _ => null,
        },
        _ => null,
    };

    private static GatewayError FieldError(string name, string value, ImageOperation operation) => name switch
    {
        "n" or "output_compression" or "partial_images" => GatewayErrors.WrongType(name, "an integer", $"'{Excerpt(value)}'"),
        "stream" when operation == ImageOperation.Edit => GatewayErrors.WrongType(name, "a boolean", $"'{Excerpt(value)}'"),
        _ => GatewayErrors.UnknownParameter(name),
    };

    private static int? Int(string value) =>
        int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string Excerpt(string value) => value.Length <= 32 ? value : value[..32] + "...";

    private static async Task<string?> ReadTextAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await section.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxTextFieldBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private sealed record EditForm(ImageRequestInput Input, List<InputImage> Images, InputImage? Mask);
}
