using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>An edit whose first account fails is sent again, every file part intact, to another account.</summary>
public sealed class EditFailoverTests(EditFailoverGatewayFixture gateway) : IClassFixture<EditFailoverGatewayFixture>
{
    [Fact]
    public async Task An_edit_answered_500_is_retried_on_another_account_with_every_part_intact()
    {
        using var http = gateway.Http();
        var prompt = $"failover edit {Guid.NewGuid():N}";
        byte[][] images = [TestPng.Create(48, 48, seed: 11), TestPng.Create(48, 48, seed: 12), TestPng.Create(48, 48, seed: 13)];
        var mask = TestPng.Create(48, 48, alpha: true, seed: 14);

        using var response = await http.PostAsync("/v1/images/edits", ImageEditTests.Form("gpt-image-2.6-sunburst", prompt, images, mask));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray());

        // Both accounts received the whole form: the failing one first, then the healthy one, each with
        // the three images as image[] file parts in order and the mask, byte for byte.
        var received = gateway.Upstream.Edits.Received.Where(e => e.Fields.GetValueOrDefault("prompt") == prompt).ToList();
        Assert.Equal(["sk-...71c0", "sk-...3d9a"], received.Select(e => e.MaskedKey));
        Assert.All(received, edit =>
        {
            Assert.Equal(images.Select(Sha), edit.Images.Select(p => p.Sha256));
            Assert.Equal(images.Select(i => (long)i.Length), edit.Images.Select(p => p.Length));
            Assert.All(edit.Images, p => Assert.Equal(("image[]", "image/png"), (p.Name, p.ContentType)));
            Assert.Equal(Sha(mask), edit.Mask!.Sha256);
            Assert.Equal("gpt-image-2.6-sunburst", edit.Fields["model"]);
        });
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
