using System.ClientModel;
using ImageOrleans.Gateway.Tests.Infrastructure;
using OpenAI.Images;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The gateway as applications see it: the official OpenAI .NET SDK with only its endpoint changed.</summary>
public sealed class OpenAISdkTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task Generates_png_images_through_the_sdk()
    {
        var client = gateway.ImageClient("gpt-image-2.6-flare");

        var result = await client.GenerateImagesAsync("a red fox in the snow, sdk test", 2, new ImageGenerationOptions
        {
            Size = GeneratedImageSize.W1024xH1024,
            Quality = GeneratedImageQuality.LowQuality,
        });

        Assert.Equal(2, result.Value.Count);
        Assert.All(result.Value, image => Assert.Equal(PngSignature, image.ImageBytes.ToArray()[..8]));
        Assert.NotEqual(result.Value[0].ImageBytes.ToArray(), result.Value[1].ImageBytes.ToArray());
        Assert.NotNull(result.Value.Usage);
    }

    [Fact]
    public async Task Dall_e_3_returns_its_revised_prompt()
    {
        var client = gateway.ImageClient("dall-e-3");

        var image = await client.GenerateImageAsync("a lighthouse, sdk revised prompt test", new ImageGenerationOptions
        {
            ResponseFormat = GeneratedImageFormat.Bytes,
            Style = GeneratedImageStyle.Natural,
        });

        Assert.Equal(PngSignature, image.Value.ImageBytes.ToArray()[..8]);
        Assert.False(string.IsNullOrEmpty(image.Value.RevisedPrompt));
    }

    [Theory]
    [InlineData("gpt-image-2.6-flare")]
    [InlineData("dall-e-2")]
    public async Task Url_responses_work_for_every_model_and_serve_the_image_without_a_key(string model)
    {
        var client = gateway.ImageClient(model);

        var image = await client.GenerateImageAsync($"a teapot, url test for {model}", new ImageGenerationOptions
        {
            ResponseFormat = GeneratedImageFormat.Uri,
        });

        Assert.NotNull(image.Value.ImageUri);
        using var anonymous = gateway.Http(key: null);
        using var response = await anonymous.GetAsync(image.Value.ImageUri);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PngSignature, (await response.Content.ReadAsByteArrayAsync())[..8]);

        using var tampered = await anonymous.GetAsync(image.Value.ImageUri.ToString().Replace("signature=", "signature=x", StringComparison.Ordinal));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, tampered.StatusCode);
    }

    [Fact]
    public async Task Validation_errors_surface_as_sdk_exceptions_with_status_400()
    {
        var client = gateway.ImageClient("dall-e-3");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateImagesAsync("two please", 2));

        Assert.Equal(400, error.Status);
        Assert.Contains("n=1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_a_401()
    {
        var client = gateway.ImageClient("gpt-image-2.6-flare", key: "sk-not-a-key-of-this-gateway-000000");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateImageAsync("anything"));

        Assert.Equal(401, error.Status);
    }

    [Fact]
    public async Task A_model_nobody_serves_is_a_404()
    {
        var client = gateway.ImageClient("imagen-9");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateImageAsync("anything"));

        Assert.Equal(404, error.Status);
        Assert.Contains("imagen-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upstream_content_policy_refusals_reach_the_client_as_400()
    {
        var client = gateway.ImageClient("gpt-image-2.6-flare");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateImageAsync("please draw forbidden-content now"));

        Assert.Equal(400, error.Status);
    }
}
