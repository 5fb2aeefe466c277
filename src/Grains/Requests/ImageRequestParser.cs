using System.Text.Json;
using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Grains.Requests;

/// <summary>
/// Reads an images request body with exact, per-field type errors, so a client learns which
/// parameter is wrong instead of getting a generic parse failure.
/// </summary>
public static class ImageRequestParser
{
    public static bool TryParse(ReadOnlyMemory<byte> body, out ImageRequestInput input, out GatewayError? error)
    {
        input = new ImageRequestInput();
        if (!StrictJson.TryParse(body, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!TryApply(ref input, property, out error))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TryApply(ref ImageRequestInput input, JsonProperty property, out GatewayError? error)
    {
        error = null;
        var value = property.Value;
        switch (property.Name)
        {
            case "model": return TryString(property, out var model, out error) && Set(ref input, input with { Model = model });
            case "prompt": return TryString(property, out var prompt, out error) && Set(ref input, input with { Prompt = prompt });
            case "n": return TryInt(property, out var n, out error) && Set(ref input, input with { N = n });
            case "size": return TryString(property, out var size, out error) && Set(ref input, input with { Size = size });
            case "quality": return TryString(property, out var quality, out error) && Set(ref input, input with { Quality = quality });
            case "background": return TryString(property, out var background, out error) && Set(ref input, input with { Background = background });
            case "output_format": return TryString(property, out var format, out error) && Set(ref input, input with { OutputFormat = format });
            case "output_compression": return TryInt(property, out var compression, out error) && Set(ref input, input with { OutputCompression = compression });
            case "moderation": return TryString(property, out var moderation, out error) && Set(ref input, input with { Moderation = moderation });
            case "response_format": return TryString(property, out var responseFormat, out error) && Set(ref input, input with { ResponseFormat = responseFormat });
            case "style": return TryString(property, out var style, out error) && Set(ref input, input with { Style = style });
            case "user": return TryString(property, out var user, out error) && Set(ref input, input with { User = user });
            case "partial_images": return TryInt(property, out var partial, out error) && Set(ref input, input with { PartialImages = partial });
            case "stream":
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    input = input with { Stream = value.GetBoolean() };
                    return true;
                }

                if (value.ValueKind == JsonValueKind.Null)
                {
                    return true;
                }

                error = GatewayErrors.WrongType("stream", "a boolean", Describe(value));
                return false;
            default:
                error = GatewayErrors.UnknownParameter(property.Name);
                return false;
        }
    }

    private static bool Set(ref ImageRequestInput input, ImageRequestInput updated)
    {
        input = updated;
        return true;
    }

    private static bool TryString(JsonProperty property, out string? value, out GatewayError? error)
    {
        value = null;
        error = null;
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                value = property.Value.GetString();
                return true;
            default:
                error = GatewayErrors.WrongType(property.Name, "a string", Describe(property.Value));
                return false;
        }
    }

    private static bool TryInt(JsonProperty property, out int? value, out GatewayError? error)
    {
        value = null;
        error = null;
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.Number when property.Value.TryGetInt32(out var number):
                value = number;
                return true;
            case JsonValueKind.Number when property.Value.TryGetDouble(out var real) && real == Math.Floor(real)
                                           && real is >= int.MinValue and <= int.MaxValue:
                value = (int)real;
                return true;
            case JsonValueKind.Number when IsWhole(property.Value):
                error = GatewayErrors.Invalid(property.Name,
                    $"Invalid '{property.Name}': the integer {Excerpt(property.Value.GetRawText())} is out of range.", "integer_out_of_range");
                return false;
            case JsonValueKind.Number:
                error = GatewayErrors.WrongType(property.Name, "an integer", "a decimal number");
                return false;
            default:
                error = GatewayErrors.WrongType(property.Name, "an integer", Describe(property.Value));
                return false;
        }
    }

    /// <summary>True for a number with no fraction, however large (1e400 and 99999999999999999999 included).</summary>
    private static bool IsWhole(JsonElement number)
    {
        if (number.TryGetDecimal(out var exact))
        {
            return exact == decimal.Truncate(exact);
        }

        // Beyond decimal's range: a whole number unless written with a negative exponent.
        var raw = number.GetRawText();
        var exponent = raw.IndexOfAny(['e', 'E']);
        return exponent < 0 ? !raw.Contains('.', StringComparison.Ordinal) : raw[exponent + 1] != '-';
    }

    private static string Excerpt(string raw) => raw.Length <= 32 ? raw : raw[..32] + "...";

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "an unknown value",
    };
}
