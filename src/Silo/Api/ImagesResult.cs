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
    // 3,000 bytes of image become 4,000 of base64: each segment fits one of Kestrel's pooled 4 KB blocks.
    private const int Base64Segment = 3_000;

    // How much encoded image the writer holds before it is handed to the response.
    private const int FlushThreshold = 64 * 1024;

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
                await WriteBase64Async(json, contents![i], httpContext.RequestAborted);
            }

            WriteIfSet(json, "revised_prompt", result.Images[i].RevisedPrompt);
            json.WriteEndObject();
            if (i < result.Images.Count - 1)
            {
                // One image at a time on the wire; the last goes out with the end of the answer, in one send.
                await json.FlushAsync(httpContext.RequestAborted);
            }
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

    /// <summary>
    /// The image as a base64 string value, encoded straight into the response's pooled buffers in segments:
    /// no intermediate string, and no buffer the size of the whole encoded image.
    /// </summary>
    private static async ValueTask WriteBase64Async(Utf8JsonWriter json, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        json.WritePropertyName("b64_json");
        if (content.IsEmpty)
        {
            json.WriteBase64StringSegment(ReadOnlySpan<byte>.Empty, isFinalSegment: true);
            return;
        }

        for (var offset = 0; offset < content.Length; offset += Base64Segment)
        {
            var length = Math.Min(Base64Segment, content.Length - offset);
            var final = offset + length == content.Length;
            json.WriteBase64StringSegment(content.Span.Slice(offset, length), final);
            if (!final && json.BytesPending >= FlushThreshold)
            {
                await json.FlushAsync(cancellationToken);
            }
        }
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
