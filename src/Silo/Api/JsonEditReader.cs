using System.Globalization;
using System.Text.Json;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// The JSON form of an edit (GPT image models), for the live edits endpoint and an edits batch's lines
/// alike: <c>images: [{"image_url": …}]</c> and an optional <c>mask: {"image_url": …}</c>, each fetched
/// into the upload store under the egress policy (or decoded from a data URL), the other fields as for
/// generations. The caller deletes what lands in <c>saved</c>, whatever the outcome.
/// </summary>
public sealed class JsonEditReader(ImageUrlFetcher fetcher, IOptions<UploadOptions> options)
{
    public async Task<(JsonEdit? Edit, GatewayError? Error)> ReadAsync(ReadOnlyMemory<byte> body, List<InputImage> saved, CancellationToken cancellationToken)
    {
        if (!StrictJson.TryParse(body, out var document, out var parseError))
        {
            return (null, parseError);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("images", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                return (null, GatewayErrors.Missing("images"));
            }

            if (list.GetArrayLength() > options.Value.MaxFiles)
            {
                return (null, GatewayErrors.Invalid("images", string.Create(CultureInfo.InvariantCulture, $"Invalid 'images': at most {options.Value.MaxFiles} images per request."), "too_many_images"));
            }

            var images = new List<InputImage>();
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var (image, error) = await FetchAsync(string.Create(CultureInfo.InvariantCulture, $"images[{index++}]"), item, saved, cancellationToken);
                if (error is not null)
                {
                    return (null, error);
                }

                images.Add(image!);
            }

            InputImage? mask = null;
            if (root.TryGetProperty("mask", out var maskItem) && maskItem.ValueKind != JsonValueKind.Null)
            {
                var (fetched, error) = await FetchAsync("mask", maskItem, saved, cancellationToken);
                if (error is not null)
                {
                    return (null, error);
                }

                mask = fetched;
            }

            string? fidelity = null;
            if (root.TryGetProperty("input_fidelity", out var fidelityValue) && fidelityValue.ValueKind != JsonValueKind.Null)
            {
                if (fidelityValue.ValueKind != JsonValueKind.String)
                {
                    return (null, GatewayErrors.WrongType("input_fidelity", "a string", "another type"));
                }

                fidelity = fidelityValue.GetString();
            }

            // The remaining fields are those of a generation, read by the same strict parser.
            using var rest = new MemoryStream();
            using (var json = new Utf8JsonWriter(rest))
            {
                json.WriteStartObject();
                foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("images" or "mask" or "input_fidelity")))
                {
                    property.WriteTo(json);
                }

                json.WriteEndObject();
            }

            if (!ImageRequestParser.TryParse(rest.ToArray(), out var input, out var fieldError))
            {
                return (null, fieldError);
            }

            return (new JsonEdit(input! with { InputFidelity = fidelity }, images, mask), null);
        }
    }

    private async Task<(InputImage? Image, GatewayError? Error)> FetchAsync(string param, JsonElement item, List<InputImage> saved, CancellationToken cancellationToken)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("image_url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            return (null, GatewayErrors.Invalid(param, $"Invalid '{param}': give an object with an 'image_url' (an http(s) URL or a base64 data URL); 'file_id' is not supported.", "invalid_image_url"));
        }

        var (image, error) = await fetcher.FetchAsync(param, url.GetString()!, cancellationToken);
        if (image is not null)
        {
            saved.Add(image);
        }

        return (image, error);
    }
}
