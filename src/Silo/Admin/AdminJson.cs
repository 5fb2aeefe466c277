using System.Text.Json;
using ImageOrleans.Silo.Api;

namespace ImageOrleans.Silo.Admin;

/// <summary>The admin API speaks snake_case JSON, like the rest of the OpenAI-shaped surface.</summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JsonOutput.Encoder,
    };
}
