using System.Text.Json;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Writes the JSON body of an upstream images request.</summary>
public static class UpstreamRequestBody
{
    public static byte[] Write(ImageRequest request, bool includeModel)
    {
        using var buffer = new MemoryStream(256 + (request.Prompt.Length * 2));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (includeModel)
            {
                json.WriteString("model", request.Model);
            }

            json.WriteString("prompt", request.Prompt);
            json.WriteNumber("n", request.N);
            WriteIfSet(json, "size", request.Size);
            WriteIfSet(json, "quality", request.Quality);
            WriteIfSet(json, "background", request.Background);
            WriteIfSet(json, "output_format", request.OutputFormat);
            if (request.OutputCompression is { } compression)
            {
                json.WriteNumber("output_compression", compression);
            }

            WriteIfSet(json, "moderation", request.Moderation);
            WriteIfSet(json, "style", request.Style);
            WriteIfSet(json, "user", request.User);
            if (request.Stream)
            {
                json.WriteBoolean("stream", true);
                if (request.PartialImages is { } partials)
                {
                    json.WriteNumber("partial_images", partials);
                }
            }
            if (!request.AlwaysBase64)
            {
                // The gateway stores every image itself, so it always takes base64 from the upstream.
                json.WriteString("response_format", "b64_json");
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
