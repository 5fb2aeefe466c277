using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// A token count as an upstream reports it: a whole number; a fraction or one past the range of
/// <see cref="long"/> reads as <see cref="long.MinValue"/> or <see cref="long.MaxValue"/> by its sign (so the
/// calculator distrusts it); any other value (text, true, an object) reads as absent, never as an error.
/// </summary>
internal sealed class TokenCountConverter : JsonConverter<long?>
{
    public override bool HandleNull => true;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            reader.Skip();
            return null;
        }

        if (reader.TryGetInt64(out var count))
        {
            return count;
        }

        var first = reader.HasValueSequence ? reader.ValueSequence.FirstSpan[0] : reader.ValueSpan[0];
        return first == (byte)'-' ? long.MinValue : long.MaxValue;
    }

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        if (value is { } count)
        {
            writer.WriteNumberValue(count);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
