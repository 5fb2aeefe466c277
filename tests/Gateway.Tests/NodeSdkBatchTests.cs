using System.Net;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The official Node <c>openai</c> package (installed by test.sh into tests/Node) runs a batch unchanged.</summary>
public sealed class NodeSdkBatchTests(BatchesGatewayFixture gateway) : IClassFixture<BatchesGatewayFixture>
{
    [Fact]
    public async Task Files_create_batches_create_retrieve_and_files_content_work_from_the_node_sdk()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var summary = await NodeScript.RunAsync("Node", "openai", "batch.mjs", new Dictionary<string, string>(),
            [gateway.ApiBase.ToString().TrimEnd('/'), BatchesGatewayFixture.KeyA, tag], TimeSpan.FromSeconds(60));

        Assert.StartsWith("file-", summary.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(3, summary.GetProperty("counts").GetProperty("completed").GetInt32());
        Assert.Equal(["node-a", "node-b", "node-c"], summary.GetProperty("custom_ids").EnumerateArray().Select(e => e.GetString()));
        using var anonymous = gateway.Http(key: null);
        using var image = await anonymous.GetAsync(new Uri(summary.GetProperty("urls")[0].GetString()!));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
    }
}
