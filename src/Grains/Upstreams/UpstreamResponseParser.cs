using System.Text.Json;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Reads OpenAI-shaped image answers and error bodies, tolerating whatever else is in them.</summary>
public static class UpstreamResponseParser
{
    public static bool TryParseSuccess(byte[] body, out IReadOnlyList<UpstreamImage> images, out long? created, out string? usageJson)
    {
        images = [];
        created = null;
        usageJson = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("data", out var data)
                || data.ValueKind != JsonValueKind.Array
                || data.GetArrayLength() == 0)
            {
                return false;
            }

            var list = new List<UpstreamImage>(data.GetArrayLength());
            foreach (var item in data.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("b64_json", out var b64)
                    || b64.ValueKind != JsonValueKind.String
                    || !b64.TryGetBytesFromBase64(out var bytes)
                    || bytes.Length == 0)
                {
                    return false;
                }

                var revised = item.TryGetProperty("revised_prompt", out var rp) && rp.ValueKind == JsonValueKind.String ? rp.GetString() : null;
                list.Add(new UpstreamImage(bytes, revised));
            }

            if (root.TryGetProperty("created", out var c) && c.TryGetInt64(out var createdValue))
            {
                created = createdValue;
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                usageJson = usage.GetRawText();
            }

            images = list;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static UpstreamErrorBody? ParseError(byte[] body, UpstreamSecret key)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new UpstreamErrorBody(
                SecretScrubber.Scrub(Text(error, "message"), key),
                Text(error, "type"),
                Text(error, "code"),
                Text(error, "param"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
