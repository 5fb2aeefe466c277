using System.Text.Json;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Silo.Api;

/// <summary>Writes <c>{"created","data":[…],"usage"}</c> straight to the response, base64 encoded on the way out.</summary>
public sealed class ImagesResult(
    GenerationResult result,
    ImageRequest request,
    IReadOnlyList<ReadOnlyMemory<byte>>? contents,
    IReadOnlyList<string>? urls) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(httpContext.Response.BodyWriter, JsonOutput.WriterOptions);
        json.WriteStartObject();
        json.WriteNumber("created", result.Created);
        if (request.AlwaysBase64)
        {
            // Newer image models echo what they actually produced; SDKs expose it. Never the requested
            // "auto": the upstream's report, else what the image itself shows, else the explicit request.
            var produced = result.Produced;
            WriteIfSet(json, "background", produced?.Background ?? Explicit(request.Background));
            WriteIfSet(json, "output_format", produced?.OutputFormat ?? FormatOf(result) ?? Explicit(request.OutputFormat));
            WriteIfSet(json, "quality", produced?.Quality ?? Explicit(request.Quality));
            WriteIfSet(json, "size", produced?.Size ?? SizeOf(contents) ?? Explicit(request.Size));
        }

        json.WriteStartArray("data");
        for (var i = 0; i < result.Images.Count; i++)
        {
            json.WriteStartObject();
            if (urls is not null)
            {
                json.WriteString("url", urls[i]);
            }
            else
            {
                json.WriteBase64String("b64_json", contents![i].Span);
            }

            WriteIfSet(json, "revised_prompt", result.Images[i].RevisedPrompt);
            json.WriteEndObject();
            await json.FlushAsync(httpContext.RequestAborted);
        }

        json.WriteEndArray();
        if (result.Usage is { } usage)
        {
            json.WritePropertyName("usage");
            json.WriteRawValue(usage.Json, skipInputValidation: true);
        }

        json.WriteEndObject();
        await json.FlushAsync(httpContext.RequestAborted);
    }

    private static string? Explicit(string? requested) => requested is "auto" ? null : requested;

    private static string? FormatOf(GenerationResult result) =>
        result.Images.Count > 0 && result.Images[0].ContentType.StartsWith("image/", StringComparison.Ordinal)
            ? result.Images[0].ContentType["image/".Length..]
            : null;

    /// <summary>The pixel size of the first image when it is a PNG at hand (its IHDR chunk), else null.</summary>
    private static string? SizeOf(IReadOnlyList<ReadOnlyMemory<byte>>? contents)
    {
        if (contents is not { Count: > 0 } || contents[0].Span is not { Length: >= 24 } png
            || png[0] != 0x89 || png[1] != (byte)'P' || png[12] != (byte)'I' || png[13] != (byte)'H')
        {
            return null;
        }

        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.Slice(16, 4));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.Slice(20, 4));
        return width > 0 && height > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{width}x{height}") : null;
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
