using System.Text.Json;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Silo.Api;

/// <summary>Writes <c>{"created","data":[…],"usage"}</c> straight to the response, base64 encoded on the way out.</summary>
public sealed class ImagesResult(
    GenerationResult result,
    ImageRequest request,
    IReadOnlyList<byte[]>? contents,
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
            // Newer image models echo these; SDKs expose them.
            WriteIfSet(json, "background", request.Background);
            WriteIfSet(json, "output_format", request.OutputFormat);
            WriteIfSet(json, "quality", request.Quality);
            WriteIfSet(json, "size", request.Size);
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
                json.WriteBase64String("b64_json", contents![i]);
            }

            WriteIfSet(json, "revised_prompt", result.Images[i].RevisedPrompt);
            json.WriteEndObject();
            await json.FlushAsync(httpContext.RequestAborted);
        }

        json.WriteEndArray();
        if (result.UsageJson is { } usage)
        {
            json.WritePropertyName("usage");
            json.WriteRawValue(usage, skipInputValidation: true);
        }

        json.WriteEndObject();
        await json.FlushAsync(httpContext.RequestAborted);
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
