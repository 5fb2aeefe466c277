using System.ClientModel;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using OpenAI.Images;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Four accounts of 10 images/min each, 200 requests at once through the OpenAI SDK.</summary>
public sealed class PoolSaturationTests(PoolSaturationTests.SmallPool gateway) : IClassFixture<PoolSaturationTests.SmallPool>
{
    [Fact]
    public async Task Every_request_ends_with_an_image_or_an_openai_error_and_the_pool_paces_itself()
    {
        var client = gateway.ImageClient("gpt-image-2.6-flare");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            try
            {
                var image = await client.GenerateImageAsync($"saturation {i}: a paper boat", new ImageGenerationOptions
                {
                    Quality = GeneratedImageQuality.LowQuality,
                });
                return (Image: image.Value.ImageBytes.ToArray().Length > 0, Status: 200, Code: (string?)null);
            }
            catch (ClientResultException ex)
            {
                var body = ex.GetRawResponse()!.Content.ToString();
                var code = JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString();
                return (Image: false, ex.Status, Code: code);
            }
        }));

        var images = outcomes.Count(o => o.Image);
        var errors = outcomes.Where(o => !o.Image).ToList();
        Assert.Equal(200, images + errors.Count);
        Assert.All(errors, e => Assert.True(e is { Status: 503, Code: "pool_saturated" } or { Status: 504, Code: "queue_timeout" }, $"unexpected {e.Status} {e.Code}"));

        // Each account sends one call at once (its calls go out evenly spaced, so no minute ever holds
        // more than its 10); the next is six seconds away, beyond every request's three-second deadline.
        var stats = gateway.Simulator.Stats.Snapshot();
        Assert.Equal(0, stats.Total.RefusedRateLimit);
        Assert.Equal(images, (int)stats.Total.Served);
        Assert.Equal(4, images);
        foreach (var key in (string[])["sim-key-1", "sim-key-2", "sim-key-3", "sim-key-4"])
        {
            Assert.Equal(1, stats.Keys[key].Served);
        }
    }

    public sealed class SmallPool : GatewayFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("ImageOrleans:Simulator:Accounts", "4"),
            new("ImageOrleans:Simulator:RequestsPerMinute", "10"),
            new("ImageOrleans:Simulator:ImagesPerMinute", "10"),
            new("ImageOrleans:Simulator:MaxConcurrency", "50"),
            new("ImageOrleans:Simulator:Latency:MedianMs", "20"),
            new("ImageOrleans:Dispatch:DefaultDeadline", "00:00:03"),
        ];
    }
}
