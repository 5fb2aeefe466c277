using System.Text.Json;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Upstreams;

public sealed class UpstreamRequestBodyTests
{
    [Fact]
    public void Gpt_image_models_never_get_response_format()
    {
        var body = Parse(UpstreamRequestBody.Write(
            new ImageRequest { Model = "gpt-image-1", Prompt = "p", N = 2, Size = "1024x1024", AlwaysBase64 = true }, includeModel: true));

        Assert.Equal("gpt-image-1", body.GetProperty("model").GetString());
        Assert.Equal(2, body.GetProperty("n").GetInt32());
        Assert.False(body.TryGetProperty("response_format", out _));
        Assert.False(body.TryGetProperty("style", out _));
    }

    [Fact]
    public void Dall_e_models_are_asked_for_base64_and_azure_bodies_omit_the_model()
    {
        var body = Parse(UpstreamRequestBody.Write(
            new ImageRequest { Model = "dall-e-3", Prompt = "p", Style = "vivid", Quality = "hd" }, includeModel: false));

        Assert.Equal("b64_json", body.GetProperty("response_format").GetString());
        Assert.Equal("vivid", body.GetProperty("style").GetString());
        Assert.False(body.TryGetProperty("model", out _));
    }

    private static JsonElement Parse(byte[] bytes) => JsonDocument.Parse(bytes).RootElement.Clone();
}
