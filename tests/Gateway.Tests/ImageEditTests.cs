using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using OpenAI.Images;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Edits and variations through the pool: real file parts upstream, every part checked on the way in.</summary>
public sealed class ImageEditTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private static readonly byte[] Photo = TestPng.Create(64, 64, seed: 1);
    private static readonly byte[] Mask = TestPng.Create(64, 64, alpha: true, seed: 9);

    [Fact]
    public async Task The_official_sdk_edits_an_image_with_a_mask()
    {
        var client = gateway.ImageClient("gpt-image-2.6-flare");
        var prompt = $"put a hat on it {Guid.NewGuid():N}";

        using var image = new MemoryStream(Photo);
        using var mask = new MemoryStream(Mask);
        GeneratedImage edited = await client.GenerateImageEditAsync(image, "photo.png", prompt, mask, "mask.png");

        Assert.True(edited.ImageBytes.ToArray().AsSpan().StartsWith(PngSignature));
        var received = Assert.Single(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == prompt);
        var part = Assert.Single(received.Images);
        Assert.Equal(("image", "photo.png", "image/png", Sha(Photo)), (part.Name, part.FileName, part.ContentType, part.Sha256));
        Assert.Equal(Sha(Mask), received.Mask!.Sha256);
        Assert.Equal("gpt-image-2.6-flare", received.Fields["model"]);
    }

    [Fact]
    public async Task Three_images_and_a_mask_arrive_upstream_as_image_array_file_parts_in_order()
    {
        using var http = gateway.Http();
        var prompt = $"combine these {Guid.NewGuid():N}";
        byte[][] images = [Photo, TestPng.Create(64, 64, seed: 2), TestPng.Create(64, 64, seed: 3)];

        using var response = await http.PostAsync("/v1/images/edits", Form(prompt, images, Mask, ("input_fidelity", "high"), ("quality", "low")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-image-2.6-flare", response.Headers.GetValues("x-imageorleans-model").Single());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3 * 388, body.GetProperty("usage").GetProperty("input_tokens_details").GetProperty("image_tokens").GetInt32());
        var received = Assert.Single(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == prompt);
        Assert.Equal(images.Select(Sha), received.Images.Select(p => p.Sha256));
        Assert.All(received.Images, p => Assert.Equal(("image[]", "image/png"), (p.Name, p.ContentType)));
        Assert.Equal(Sha(Mask), received.Mask!.Sha256);
        Assert.Equal("high", received.Fields["input_fidelity"]);
    }

    [Fact]
    public async Task The_same_edit_on_other_files_is_not_a_cache_hit_but_the_same_files_are()
    {
        using var http = gateway.Http();
        var prompt = $"cached edit {Guid.NewGuid():N}";

        using var first = await http.PostAsync("/v1/images/edits", Form(prompt, [Photo], null));
        using var same = await http.PostAsync("/v1/images/edits", Form(prompt, [Photo], null));
        using var other = await http.PostAsync("/v1/images/edits", Form(prompt, [TestPng.Create(64, 64, seed: 4)], null));

        Assert.Equal("miss", first.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal("hit", same.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal("miss", other.Headers.GetValues("x-imageorleans-cache").Single());
    }

    [Fact]
    public async Task The_json_form_fetches_image_urls_and_sends_them_on_as_file_parts()
    {
        using var http = gateway.Http();

        // An image served by a URL (the gateway's own signed link) and one inline as a data URL.
        using var generated = await http.PostAsJsonAsync("/v1/images/generations", new { model = "dall-e-2", prompt = $"to be edited {Guid.NewGuid():N}", size = "256x256", response_format = "url" });
        var link = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("url").GetString()!;
        var linked = await new HttpClient().GetByteArrayAsync(link);
        var prompt = $"json edit {Guid.NewGuid():N}";

        using var response = await http.PostAsJsonAsync("/v1/images/edits", new
        {
            model = "gpt-image-2.6-flare",
            prompt,
            images = new object[] { new { image_url = link }, new { image_url = "data:image/png;base64," + Convert.ToBase64String(Photo) } },
            mask = new { image_url = "data:image/png;base64," + Convert.ToBase64String(TestPng.Create(32, 32, alpha: true)) },
            quality = "low",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_mask", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());

        using var edited = await http.PostAsJsonAsync("/v1/images/edits", new
        {
            model = "gpt-image-2.6-flare",
            prompt,
            images = new object[] { new { image_url = link }, new { image_url = "data:image/png;base64," + Convert.ToBase64String(Photo) } },
            quality = "low",
        });

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var received = Assert.Single(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == prompt);
        Assert.Equal([Sha(linked), Sha(Photo)], received.Images.Select(p => p.Sha256));
        Assert.All(received.Images, p => Assert.Equal("image[]", p.Name));
    }

    [Theory]
    [InlineData("no-alpha", "mask", "invalid_mask")]
    [InlineData("wrong-size", "mask", "invalid_mask")]
    [InlineData("not-an-image", "image", "invalid_image_format")]
    [InlineData("image-as-text", "image", "invalid_type")]
    public async Task A_bad_part_is_refused_naming_it_before_any_upstream_call(string fault, string param, string code)
    {
        using var http = gateway.Http();
        var prompt = $"bad part {fault} {Guid.NewGuid():N}";
        var form = fault switch
        {
            "no-alpha" => Form(prompt, [Photo], TestPng.Create(64, 64)),
            "wrong-size" => Form(prompt, [Photo], TestPng.Create(32, 64, alpha: true)),
            "not-an-image" => Form(prompt, [System.Text.Encoding.UTF8.GetBytes("definitely not a picture")], null),
            _ => TextImageForm(prompt),
        };

        using var response = await http.PostAsync("/v1/images/edits", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.DoesNotContain(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == prompt);
    }

    [Fact]
    public async Task The_official_sdk_makes_a_variation_on_a_model_that_supports_them()
    {
        var client = gateway.ImageClient("dall-e-2");
        using var image = new MemoryStream(Photo);

        GeneratedImage variation = await client.GenerateImageVariationAsync(image, "photo.png", new ImageVariationOptions { Size = GeneratedImageSize.W256xH256 });

        Assert.True(variation.ImageBytes.ToArray().AsSpan().StartsWith(PngSignature));
        Assert.Contains(gateway.Simulator.Edits.Received, e => e.Endpoint == "Variations" && e.Images.Single().Sha256 == Sha(Photo));
    }

    [Fact]
    public async Task A_variation_on_a_model_without_them_is_not_found()
    {
        var client = gateway.ImageClient("gpt-image-2.6-flare");
        using var image = new MemoryStream(Photo);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateImageVariationAsync(image, "photo.png"));

        Assert.Equal(404, error.Status);
        Assert.Contains("model_not_found", error.Message, StringComparison.Ordinal);
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47];

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The form the official SDKs send: the images as image[] file parts when there are several.</summary>
    public static MultipartFormDataContent Form(string prompt, byte[][] images, byte[]? mask, params (string Name, string Value)[] fields) =>
        Form("gpt-image-2.6-flare", prompt, images, mask, fields);

    public static MultipartFormDataContent Form(string model, string prompt, byte[][] images, byte[]? mask, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(model), "model" },
            { new StringContent(prompt), "prompt" },
        };
        for (var i = 0; i < images.Length; i++)
        {
            var part = new ByteArrayContent(images[i]);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, images.Length > 1 ? "image[]" : "image", $"input-{i}.png");
        }

        if (mask is not null)
        {
            var part = new ByteArrayContent(mask);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, "mask", "mask.png");
        }

        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    // The bug other relays have: the image arrives as a text field, its bytes lost.
    private static MultipartFormDataContent TextImageForm(string prompt) => new()
    {
        { new StringContent("gpt-image-2.6-flare"), "model" },
        { new StringContent(prompt), "prompt" },
        { new StringContent(Convert.ToBase64String(Photo)), "image" },
    };
}
