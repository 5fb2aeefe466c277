using System.Text.Json;

namespace ImageOrleans.Client.Serialization;

/// <summary>The body of a successful <c>POST /images/generations</c>.</summary>
internal sealed class ImagesResponseBody
{
    public long Created { get; set; }
    public List<ImageDataBody>? Data { get; set; }
    public JsonElement? Usage { get; set; }
}
