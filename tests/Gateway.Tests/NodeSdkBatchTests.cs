using System.Diagnostics;
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
        var folder = Path.Combine(RepositoryRoot.Path, "tests", "Node");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "openai")),
            "tests/Node/node_modules/openai is missing: run the tests through ./test.sh, which installs it with npm ci.");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var start = new ProcessStartInfo("node", [Path.Combine(folder, "batch.mjs"), gateway.ApiBase.ToString().TrimEnd('/'), BatchesGatewayFixture.KeyA, tag])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };

        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await node.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
                throw;
            }
        }

        Assert.True(node.ExitCode == 0, $"The node script failed ({node.ExitCode}): {await errors}\n{await output}");
        var summary = JsonDocument.Parse(await output).RootElement;
        Assert.StartsWith("file-", summary.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(3, summary.GetProperty("counts").GetProperty("completed").GetInt32());
        Assert.Equal(["node-a", "node-b", "node-c"], summary.GetProperty("custom_ids").EnumerateArray().Select(e => e.GetString()));
        using var anonymous = gateway.Http(key: null);
        using var image = await anonymous.GetAsync(new Uri(summary.GetProperty("urls")[0].GetString()!));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
    }
}
