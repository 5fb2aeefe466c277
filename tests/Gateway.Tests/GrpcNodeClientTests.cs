using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Silo.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary>
/// The gRPC front door from a non-.NET client: Node's <c>@grpc/grpc-js</c> with <c>@grpc/proto-loader</c>
/// (installed by test.sh into tests/GrpcNode) loads the repository's proto and reads the rich error details.
/// </summary>
public sealed class GrpcNodeClientTests(AdminGatewayFixture gateway) : IClassFixture<AdminGatewayFixture>
{
    [Fact]
    public async Task A_node_grpc_js_client_generates_streams_lists_models_and_reads_error_details()
    {
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        var address = gateway.Services.GetRequiredService<GrpcFrontDoor>().Address!;
        var seen = await NodeScript.RunAsync("GrpcNode", "@grpc/grpc-js", "grpc-client.mjs", new Dictionary<string, string>
        {
            ["GRPC_ADDRESS"] = $"{address.Host}:{address.Port}",
            ["CLIENT_KEY"] = GatewayFactory.KeyA,
        });

        var generate = seen.GetProperty("generate");
        Assert.Equal(1, generate.GetProperty("images").GetInt32());
        Assert.Equal([0x89, 'P', 'N', 'G'], generate.GetProperty("firstBytes").EnumerateArray().Select(b => b.GetInt32()));
        Assert.Equal("image/png", generate.GetProperty("contentType").GetString());
        Assert.Equal("1024x1024", generate.GetProperty("size").GetString());
        Assert.Equal(served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);
        Assert.NotEmpty(seen.GetProperty("models").EnumerateArray());

        // The streamed call: partial images in order, then the completed answer, all PNGs.
        var events = seen.GetProperty("stream").EnumerateArray().ToList();
        Assert.Equal("completed", events[^1].GetProperty("kind").GetString());
        Assert.Equal(1, events[^1].GetProperty("images").GetInt32());
        Assert.NotEmpty(events[..^1]);
        Assert.Equal(Enumerable.Range(0, events.Count - 1), events[..^1].Select(e => e.GetProperty("index").GetInt32()));
        Assert.All(events, e => Assert.Equal([0x89, 'P', 'N', 'G'], e.GetProperty("firstBytes").EnumerateArray().Select(b => b.GetInt32())));

        // INVALID_ARGUMENT (3) with ErrorInfo and a BadRequest naming the field.
        var bad = seen.GetProperty("badSize");
        Assert.Equal(3, bad.GetProperty("code").GetInt32());
        var details = bad.GetProperty("details").EnumerateArray().ToDictionary(d => d.GetProperty("type").GetString()!, d => d.GetProperty("value"));
        Assert.Equal(GrpcErrors.Domain, details["google.rpc.ErrorInfo"].GetProperty("domain").GetString());
        Assert.Equal("size", details["google.rpc.BadRequest"].GetProperty("fieldViolations")[0].GetProperty("field").GetString());

        // UNAUTHENTICATED (16) with the OpenAI code as the reason.
        var wrong = seen.GetProperty("wrongKey");
        Assert.Equal(16, wrong.GetProperty("code").GetInt32());
        Assert.Equal("invalid_api_key", wrong.GetProperty("details")[0].GetProperty("value").GetProperty("reason").GetString());
    }
}
