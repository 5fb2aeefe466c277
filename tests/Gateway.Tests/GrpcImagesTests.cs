using System.Security.Cryptography;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grpc.V1;
using ImageOrleans.Silo.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Streamed generations and edits over gRPC, on the same relay, upload store and pipeline as the HTTP endpoints.</summary>
public sealed class GrpcImagesTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>, IDisposable
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G'];
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(gateway.Services.GetRequiredService<GrpcFrontDoor>().Address!);

    [Fact]
    public async Task Generate_stream_sends_partial_images_then_the_completed_answer()
    {
        using var call = Client().GenerateStream(
            new GenerateRequest { Prompt = $"a streamed gRPC fox {Guid.NewGuid():N}", Quality = "low", PartialImages = 2 }, Auth());

        var events = await ReadAllAsync(call.ResponseStream);

        Assert.Equal(ImageStreamEvent.EventOneofCase.Completed, events[^1].EventCase);
        var partials = events[..^1];
        Assert.NotEmpty(partials);
        Assert.All(partials, e => Assert.Equal(ImageStreamEvent.EventOneofCase.PartialImage, e.EventCase));
        Assert.Equal(Enumerable.Range(0, partials.Length), partials.Select(e => e.PartialImage.PartialImageIndex));
        Assert.All(partials, e => Assert.Equal(Png, e.PartialImage.ImageBytes.Span[..4].ToArray()));
        var completed = events[^1].Completed;
        Assert.Equal(Png, Assert.Single(completed.Data).ImageBytes.Span[..4].ToArray());
        Assert.Equal("bypass", completed.Cache);
    }

    [Fact]
    public async Task A_stream_refused_before_it_starts_ends_with_the_status_and_no_event()
    {
        using var call = Client().GenerateStream(new GenerateRequest { Prompt = "bad size", Size = "13x7", PartialImages = 1 }, Auth());

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("size", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task Edit_sends_every_file_upstream_as_a_file_part_in_order_with_the_mask()
    {
        var prompt = $"combine over gRPC {Guid.NewGuid():N}";
        byte[][] images = [TestPng.Create(48, 48, seed: 11), TestPng.Create(48, 48, seed: 12), TestPng.Create(48, 48, seed: 13)];
        var mask = TestPng.Create(48, 48, alpha: true, seed: 14);
        var request = new EditRequest { Prompt = prompt, Quality = "low", Mask = File("mask.png", mask) };
        request.Images.AddRange(images.Select((bytes, i) => File($"part-{i}.png", bytes)));

        var response = await Client().EditAsync(request, Auth());

        Assert.Equal(Png, Assert.Single(response.Data).ImageBytes.Span[..4].ToArray());
        var received = Assert.Single(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == prompt);
        Assert.Equal(images.Select(Sha), received.Images.Select(p => p.Sha256));
        Assert.Equal(["part-0.png", "part-1.png", "part-2.png"], received.Images.Select(p => p.FileName));
        Assert.Equal(Sha(mask), received.Mask!.Sha256);
    }

    [Fact]
    public async Task Edit_stream_sends_partial_images_of_the_edit()
    {
        var request = new EditRequest { Prompt = $"streamed gRPC edit {Guid.NewGuid():N}", PartialImages = 1, Mask = File("mask.png", TestPng.Create(32, 32, alpha: true)) };
        request.Images.Add(File("photo.png", TestPng.Create(32, 32)));
        using var call = Client().EditStream(request, Auth());

        var events = await ReadAllAsync(call.ResponseStream);

        Assert.Equal(ImageStreamEvent.EventOneofCase.PartialImage, events[0].EventCase);
        Assert.Equal(ImageStreamEvent.EventOneofCase.Completed, events[^1].EventCase);
    }

    [Fact]
    public async Task A_mask_without_alpha_is_invalid_argument_naming_the_mask_and_nothing_goes_upstream()
    {
        var prompt = $"bad mask {Guid.NewGuid():N}";
        var request = new EditRequest { Prompt = prompt, Mask = File("mask.png", TestPng.Create(32, 32)) };
        request.Images.Add(File("photo.png", TestPng.Create(32, 32)));

        var error = await Assert.ThrowsAsync<RpcException>(() => Client().EditAsync(request, Auth()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("mask", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
        Assert.DoesNotContain(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == prompt);
    }

    public void Dispose() => _channel.Dispose();

    private static async Task<ImageStreamEvent[]> ReadAllAsync(IAsyncStreamReader<ImageStreamEvent> stream)
    {
        var events = new List<ImageStreamEvent>();
        while (await stream.MoveNext(CancellationToken.None))
        {
            events.Add(stream.Current);
        }

        return [.. events];
    }

    private static InputFile File(string name, byte[] bytes) => new() { FileName = name, Content = ByteString.CopyFrom(bytes) };

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private Images.ImagesClient Client() => new(_channel);

    private static Metadata Auth() => new() { { "authorization", $"Bearer {GatewayFactory.KeyA}" } };
}
