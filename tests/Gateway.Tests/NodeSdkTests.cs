using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The Images API driven by the official openai npm package (tests/Node, installed by test.sh).</summary>
public sealed class NodeSdkTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task The_node_sdk_edits_three_images_with_a_mask_makes_a_variation_streams_and_uses_an_alias()
    {
        var run = Guid.NewGuid().ToString("N");

        var seen = await NodeScript.RunAsync("Node", "openai", "images.mjs", new Dictionary<string, string>
        {
            ["GATEWAY_URL"] = gateway.BaseAddress.ToString(),
            ["API_KEY"] = GatewayFactory.KeyA,
            ["RUN_ID"] = run,
        });

        // Three images and a mask arrived upstream as image[] file parts, byte for byte.
        var sent = seen.GetProperty("sent");
        var received = Assert.Single(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == $"node sdk edit {run}");
        Assert.Equal(sent.GetProperty("images").EnumerateArray().Select(i => i.GetString()), received.Images.Select(p => p.Sha256));
        Assert.All(received.Images, p => Assert.Equal("image[]", p.Name));
        Assert.Equal(sent.GetProperty("mask").GetString(), received.Mask!.Sha256);
        Assert.Equal(1, seen.GetProperty("edit").GetProperty("images").GetInt32());
        Assert.True(seen.GetProperty("edit").GetProperty("bytes").GetInt32() > 0);

        Assert.Equal(1, seen.GetProperty("variation").GetProperty("images").GetInt32());
        Assert.True(seen.GetProperty("variation").GetProperty("bytes").GetInt32() > 0);

        // At least one partial image before the completed one, for a generation and for an edit.
        AssertStreamed(seen.GetProperty("streamedGeneration"), "image_generation", partials: 2);
        AssertStreamed(seen.GetProperty("streamedEdit"), "image_edit", partials: 1);

        var aliased = seen.GetProperty("aliased");
        Assert.Equal("gpt-image-2.6-sunburst", aliased.GetProperty("model").GetString());
        Assert.Equal("@1792713600", aliased.GetProperty("deprecation").GetString());
        Assert.Equal(1, aliased.GetProperty("images").GetInt32());
    }

    private static void AssertStreamed(JsonElement events, string prefix, int partials)
    {
        var types = events.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal([.. Enumerable.Repeat($"{prefix}.partial_image", partials), $"{prefix}.completed"], types);
        var completed = events.EnumerateArray().Last();
        Assert.True(completed.GetProperty("hasImage").GetBoolean());
        Assert.Equal(JsonValueKind.Object, completed.GetProperty("usage").ValueKind);
    }
}
