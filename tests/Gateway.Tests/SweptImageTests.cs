using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grains.Images;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary>A cached answer or a replay whose images the retention sweep removed is made again, never a dead link.</summary>
public sealed class SweptImageTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("url", null)]
    [InlineData("b64_json", null)]
    [InlineData("url", "replay-after-sweep")]
    public async Task A_hit_or_replay_whose_image_was_swept_is_generated_again(string format, string? idempotencyKey)
    {
        using var client = gateway.Http();
        idempotencyKey = idempotencyKey is null ? null : $"{idempotencyKey}-{Guid.NewGuid():N}";
        var body = new { model = "gpt-image-2.6-flare", prompt = $"swept away {format} {idempotencyKey} {Guid.NewGuid():N}", quality = "low", response_format = format };
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        using var first = await SendAsync(client, body, idempotencyKey);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var store = gateway.Services.GetRequiredService<IImageStore>();
        if (format == "b64_json")
        {
            // A b64_json answer's images are stored behind it: the sweep below must find them stored.
            var bytes = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("b64_json").GetBytesFromBase64();
            var id = ImageIds.For(bytes, ImageFormat.Detect(bytes));
            await Poll.UntilAsync(() => store.ExistsAsync(id, CancellationToken.None).AsTask(), stored => stored, $"the first answer's image {id} is stored");
        }

        // The retention sweep takes every image stored so far.
        await store.DeleteOlderThanAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        using var again = await SendAsync(client, body, idempotencyKey);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);
        var data = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0];
        if (format == "url")
        {
            using var anonymous = gateway.Http(key: null);
            using var image = await anonymous.GetAsync(new Uri(data.GetProperty("url").GetString()!));
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            Assert.NotEmpty(Convert.FromBase64String(data.GetProperty("b64_json").GetString()!));
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, object body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }
}
