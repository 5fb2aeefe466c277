using System.Globalization;
using System.Net.Http.Headers;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// The body of one upstream attempt: JSON for a generation; for an edit or variation a multipart form
/// whose images and mask are real file parts (name, file name, content type) streamed from the upload
/// store, built afresh for every attempt so a failover re-sends every part intact.
/// </summary>
public static class UpstreamContent
{
    /// <summary>The path under the account's base URL for the request's endpoint.</summary>
    public static string PathFor(ImageRequest request) => request.Operation switch
    {
        ImageOperation.Edit => "images/edits",
        ImageOperation.Variation => "images/variations",
        _ => "images/generations",
    };

    /// <summary>The content, or null when an input file is no longer in <paramref name="uploads"/> (another silo's, or its request ended).</summary>
    public static HttpContent? Create(ImageRequest request, bool includeModel, UploadStore? uploads)
    {
        if (request.Operation == ImageOperation.Generate)
        {
            var json = new ByteArrayContent(UpstreamRequestBody.Write(request, includeModel));
            json.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return json;
        }

        if (uploads is null)
        {
            return null;
        }

        var form = new MultipartFormDataContent();
        try
        {
            // OpenAI takes several images as repeated image[] parts, one as image.
            var name = request.Images.Count > 1 ? "image[]" : "image";
            foreach (var image in request.Images)
            {
                if (!AddFile(form, uploads, name, image))
                {
                    form.Dispose();
                    return null;
                }
            }

            if (request.Mask is { } mask && !AddFile(form, uploads, "mask", mask))
            {
                form.Dispose();
                return null;
            }

            if (includeModel)
            {
                AddText(form, "model", request.Model);
            }

            if (request.Operation == ImageOperation.Edit)
            {
                AddText(form, "prompt", request.Prompt);
            }

            AddText(form, "n", request.N.ToString(CultureInfo.InvariantCulture));
            AddText(form, "size", request.Size);
            AddText(form, "quality", request.Quality);
            AddText(form, "background", request.Background);
            AddText(form, "output_format", request.OutputFormat);
            AddText(form, "output_compression", request.OutputCompression?.ToString(CultureInfo.InvariantCulture));
            AddText(form, "moderation", request.Moderation);
            AddText(form, "input_fidelity", request.InputFidelity);
            AddText(form, "user", request.User);
            if (request.Stream)
            {
                AddText(form, "stream", "true");
                AddText(form, "partial_images", request.PartialImages?.ToString(CultureInfo.InvariantCulture));
            }
            if (!request.AlwaysBase64)
            {
                AddText(form, "response_format", "b64_json");
            }

            return form;
        }
        catch
        {
            form.Dispose();
            throw;
        }
    }

    private static bool AddFile(MultipartFormDataContent form, UploadStore uploads, string name, InputImage image)
    {
        if (uploads.OpenRead(image) is not { } stream)
        {
            return false;
        }

        var part = new StreamContent(stream, 64 * 1024);
        part.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);

        // Quoted explicitly: "image[]" holds characters a bare header token may not.
        part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = Quoted(name), FileName = Quoted(image.FileName) };
        form.Add(part);
        return true;
    }

    private static void AddText(MultipartFormDataContent form, string name, string? value)
    {
        if (value is not null)
        {
            var part = new StringContent(value);
            part.Headers.ContentType = null;
            part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = Quoted(name) };
            form.Add(part);
        }
    }

    private static string Quoted(string value) => $"\"{value}\"";
}
