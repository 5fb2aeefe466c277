using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grpc.V1;
using ImageOrleans.Silo.GrpcApi;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Files;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Batches over gRPC: created from an uploaded file, watched to the end, scoped to their key.</summary>
public sealed class GrpcBatchTests(BatchesGatewayFixture gateway) : IClassFixture<BatchesGatewayFixture>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(gateway.Services.GetRequiredService<GrpcFrontDoor>().Address!);

    [Fact]
    public async Task A_batch_created_over_grpc_is_watched_until_it_completes_and_hidden_from_other_keys()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var fileId = await UploadAsync(Enumerable.Range(0, 5).Select(i => Line($"item-{i}", $"grpc batch {tag} {i}")));
        var request = new CreateBatchRequest { InputFileId = fileId, Endpoint = "/v1/images/generations", CompletionWindow = "24h" };
        request.Metadata["run"] = "grpc";

        var created = await Client().CreateBatchAsync(request, Auth(BatchesGatewayFixture.KeyA));
        using var watch = Client().WatchBatch(new BatchRequest { BatchId = created.Id }, Auth(BatchesGatewayFixture.KeyA), deadline: DateTime.UtcNow.AddMinutes(2));
        var seen = new List<Batch>();
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
            seen.Add(watch.ResponseStream.Current);
        }

        Assert.StartsWith("batch_", created.Id, StringComparison.Ordinal);
        Assert.Equal("grpc", created.Metadata["run"]);
        var last = seen[^1];
        Assert.Equal("completed", last.Status);
        Assert.Equal((5, 5, 0), (last.RequestCounts.Total, last.RequestCounts.Completed, last.RequestCounts.Failed));
        Assert.False(string.IsNullOrEmpty(last.OutputFileId));
        Assert.True(last.SpentUsd > 0);

        // Each update differs from the one before; completed items never go down.
        Assert.All(seen.Zip(seen.Skip(1)), pair => Assert.True(pair.Second.RequestCounts.Completed >= pair.First.RequestCounts.Completed));
        Assert.Equal(last, await Client().GetBatchAsync(new BatchRequest { BatchId = created.Id }, Auth(BatchesGatewayFixture.KeyA)));

        var theirs = await Assert.ThrowsAsync<RpcException>(() => Client().GetBatchAsync(new BatchRequest { BatchId = created.Id }, Auth(BatchesGatewayFixture.KeyB)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, theirs.StatusCode);
    }

    [Fact]
    public async Task A_bad_endpoint_or_a_file_of_another_key_is_refused_naming_the_field()
    {
        var fileId = await UploadAsync([Line("one", "refused")]);

        var endpoint = await Assert.ThrowsAsync<RpcException>(() => Client().CreateBatchAsync(
            new CreateBatchRequest { InputFileId = fileId, Endpoint = "/v1/chat/completions", CompletionWindow = "24h" }, Auth(BatchesGatewayFixture.KeyA)).ResponseAsync);
        var foreign = await Assert.ThrowsAsync<RpcException>(() => Client().CreateBatchAsync(
            new CreateBatchRequest { InputFileId = fileId, Endpoint = "/v1/images/generations", CompletionWindow = "24h" }, Auth(BatchesGatewayFixture.KeyB)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, endpoint.StatusCode);
        Assert.Equal("endpoint", endpoint.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
        Assert.Equal("input_file_id", foreign.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
    }

    public void Dispose() => _channel.Dispose();

    private static string Line(string customId, string prompt) => JsonSerializer.Serialize(new
    {
        custom_id = customId,
        method = "POST",
        url = "/v1/images/generations",
        body = new { prompt, quality = "low" },
    });

    private async Task<string> UploadAsync(IEnumerable<string> lines)
    {
        var file = await gateway.FileClient(BatchesGatewayFixture.KeyA).UploadFileAsync(
            BinaryData.FromString(string.Join('\n', lines) + "\n"), "input.jsonl", FileUploadPurpose.Batch);
        return file.Value.Id;
    }

    private Images.ImagesClient Client() => new(_channel);

    private static Metadata Auth(string key) => new() { { "authorization", $"Bearer {key}" } };
}
