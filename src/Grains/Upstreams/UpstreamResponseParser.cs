using System.Buffers;
using System.Text.Json;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Reads OpenAI-shaped image answers and error bodies, tolerating whatever else is in them: invalid
/// UTF-8, unpaired surrogates or wrong types outside the images drop that field; they never throw.
/// </summary>
public static class UpstreamResponseParser
{
    public static bool TryParseSuccess(byte[] body, out IReadOnlyList<UpstreamImage> images, out long? created, out ImageUsage? usage) =>
        TryParseSuccess(body, out images, out created, out usage, out _);

    /// <summary>As above, with the settings the upstream reports it produced (null when it reports none).</summary>
    public static bool TryParseSuccess(
        byte[] body, out IReadOnlyList<UpstreamImage> images, out long? created, out ImageUsage? usage, out ProducedSettings? produced)
    {
        produced = null;
        images = [];
        created = null;
        usage = null;
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

                var revised = Text(item, "revised_prompt");
                list.Add(new UpstreamImage(bytes, revised));
            }

            if (root.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var createdValue) && createdValue >= 0)
            {
                created = createdValue;
            }

            if (root.TryGetProperty("usage", out var reported) && reported.ValueKind == JsonValueKind.Object)
            {
                usage = Usage(reported);
            }

            produced = Produced(root);
            images = list;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
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
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The reported size, quality, background and format, each only when it is a plain short token.</summary>
    public static ProducedSettings? Produced(JsonElement root)
    {
        var produced = new ProducedSettings
        {
            Size = Token(root, "size"),
            Quality = Token(root, "quality"),
            Background = Token(root, "background"),
            OutputFormat = Token(root, "output_format"),
        };
        return produced is { Size: null, Quality: null, Background: null, OutputFormat: null } ? null : produced;
    }

    private static string? Token(JsonElement root, string name) =>
        Text(root, name) is { } value && Requests.ImageRequestValidator.IsSafeToken(value) ? value : null;

    /// <summary>A string field, or null when it is absent, not a string, or not valid text.</summary>
    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The usage object rewritten with only whole-number counts under plain names (and one level of
    /// such objects): it is passed on to clients verbatim and priced, so nothing else survives.
    /// Whether the numbers are plausible is for the cost calculator to judge.
    /// </summary>
    private static ImageUsage? Usage(JsonElement usage)
    {
        try
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                WriteCounts(json, usage, nested: false);
            }

            return ImageUsage.Parse(buffer.WrittenSpan);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static void WriteCounts(Utf8JsonWriter json, JsonElement usage, bool nested)
    {
        json.WriteStartObject();
        foreach (var property in usage.EnumerateObject())
        {
            if (!IsPlainName(property.Name))
            {
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var count))
            {
                json.WriteNumber(property.Name, count);
            }
            else if (!nested && property.Value.ValueKind == JsonValueKind.Object)
            {
                json.WritePropertyName(property.Name);
                WriteCounts(json, property.Value, nested: true);
            }
        }

        json.WriteEndObject();
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
