using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>A usage breakdown when the value is an object; any other value reads as absent, never as an error.</summary>
internal sealed class UsageDetailsConverter : JsonConverter<UsageDetails?>
{
    public override bool HandleNull => true;

    public override UsageDetails? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        return JsonSerializer.Deserialize(ref reader, UsageJsonContext.Default.UsageDetails);
    }

    public override void Write(Utf8JsonWriter writer, UsageDetails? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, UsageJsonContext.Default.UsageDetails);
        }
    }
}
