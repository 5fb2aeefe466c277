using System.Net.Http.Json;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Grpc.Reflection.V1Alpha;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grpc.V1;
using ImageOrleans.Silo.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The gRPC front door, called with a .NET client generated from the same proto, on the same pipeline as HTTP.</summary>
public sealed class GrpcFrontDoorTests(AdminGatewayFixture gateway) : IClassFixture<AdminGatewayFixture>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(gateway.Services.GetRequiredService<GrpcFrontDoor>().Address!);

    [Fact]
    public async Task Generate_answers_with_the_image_bytes_through_the_pool()
    {
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        var answers = gateway.Services.GetRequiredService<AnswersBeingSent>();
        var begun = answers.Begun;

        var response = await Client().GenerateAsync(
            new GenerateRequest { Model = "gpt-image-2.6-flare", Prompt = $"a gRPC fox {Guid.NewGuid():N}", Size = "1024x1024", Quality = "low" },
            Auth(GatewayFactory.KeyA));

        // Answered from the upstream's bytes, the image stored behind the answer once the call's response is sent.
        Assert.Equal(begun + 1, answers.Begun);
        await Poll.UntilAsync(() => Task.FromResult(answers.Count), count => count == 0, "the answer is no longer being sent");

        var image = Assert.Single(response.Data);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image.ImageBytes.Span[..4].ToArray());
        Assert.Equal("image/png", image.ContentType);
        Assert.Equal("miss", response.Cache);
        Assert.Equal("1024x1024", response.Size);
        Assert.Equal("low", response.Quality);
        Assert.Equal(served + 1, gateway.Simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task Bad_input_is_invalid_argument_with_the_field_named()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client().GenerateAsync(
            new GenerateRequest { Model = "gpt-image-2.6-flare", Prompt = "bad size", Size = "13x7" }, Auth(GatewayFactory.KeyA)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var status = error.GetRpcStatus()!;
        Assert.Equal("size", status.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
        var info = status.GetDetail<ErrorInfo>()!;
        Assert.Equal(GrpcErrors.Domain, info.Domain);
        Assert.False(string.IsNullOrEmpty(info.Reason));
    }

    [Fact]
    public async Task A_wrong_or_missing_key_is_unauthenticated()
    {
        var wrong = await Assert.ThrowsAsync<RpcException>(() => Client().GenerateAsync(new GenerateRequest { Prompt = "who" }, Auth("sk-not-a-key-of-this-gateway-000")).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() => Client().ListModelsAsync(new ListModelsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal("invalid_api_key", wrong.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
    }

    [Fact]
    public async Task Http_and_grpc_share_one_quota_and_over_it_grpc_says_resource_exhausted_with_retry_info()
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "both doors", requests_per_minute = 2, images_per_minute = 100 });
        using var http = gateway.Http(secret);

        using var first = await http.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "through HTTP", quality = "low" });
        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);
        await Client().GenerateAsync(new GenerateRequest { Model = "gpt-image-2.6-flare", Prompt = "through gRPC", Quality = "low" }, Auth(secret));
        var refused = await Assert.ThrowsAsync<RpcException>(() => Client().GenerateAsync(
            new GenerateRequest { Model = "gpt-image-2.6-flare", Prompt = "one too many", Quality = "low" }, Auth(secret)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var status = refused.GetRpcStatus()!;
        Assert.Equal("rate_limit_exceeded", status.GetDetail<ErrorInfo>()!.Reason);
        Assert.True(status.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        Assert.NotNull(status.GetDetail<QuotaFailure>());
    }

    [Fact]
    public async Task A_deadline_that_passes_while_queued_is_deadline_exceeded_with_no_upstream_call()
    {
        // One account alone serves this model, at one request a minute: the second request must wait.
        using var admin = gateway.Admin();
        using var changed = await admin.PatchAsJsonAsync("/admin/accounts/sim-4", new
        {
            models = (string[])["deadline-test-model"], requests_per_minute = 1, images_per_minute = 1,
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, changed.StatusCode);
        await Poll.UntilAsync(async () => (await Client().ListModelsAsync(new ListModelsRequest(), Auth(GatewayFactory.KeyA))).Data.Any(m => m.Id == "deadline-test-model"),
            "the new account's model is served");
        var before = gateway.Simulator.Stats.Total.Snapshot().Requests;
        var served = 0;
        RpcException? error = null;
        for (var i = 0; i < 3 && error is null; i++)
        {
            try
            {
                await Client().GenerateAsync(new GenerateRequest { Model = "deadline-test-model", Prompt = $"queued {i} {Guid.NewGuid():N}" },
                    Auth(GatewayFactory.KeyA), deadline: DateTime.UtcNow.AddSeconds(2));
                served++;
            }
            catch (RpcException ex)
            {
                error = ex;
            }
        }

        Assert.NotNull(error);
        Assert.True(error.StatusCode == StatusCode.DeadlineExceeded, $"{error.StatusCode} after {served} served: {error.Status.Detail}");
        Assert.True(served <= 1, $"{served} requests served by an account allowed one a minute");

        // The request that waited past its deadline never reached the upstream.
        Assert.Equal(before + served, gateway.Simulator.Stats.Total.Snapshot().Requests);

    }

    [Fact]
    public async Task List_models_reflection_and_health_answer()
    {
        var models = await Client().ListModelsAsync(new ListModelsRequest(), Auth(GatewayFactory.KeyA));
        Assert.Contains(models.Data, m => m.Id == "gpt-image-2.6-flare");

        var health = await new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var reflection = new ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains(reflection.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "imageorleans.v1.Images");
    }

    [Fact]
    public async Task Get_usage_gives_the_calling_keys_rows_as_the_http_report_does()
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "usage over gRPC" });
        await Client().GenerateAsync(new GenerateRequest { Prompt = $"counted {Guid.NewGuid():N}", Quality = "low" }, Auth(secret));
        await Client().GenerateAsync(new GenerateRequest { Prompt = $"counted twice {Guid.NewGuid():N}", Quality = "low", N = 2 }, Auth(secret));

        var report = await Client().GetUsageAsync(new GetUsageRequest(), Auth(secret));
        using var http = gateway.Http(secret);
        var json = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/usage?start_date={report.StartDate}&end_date={report.EndDate}");

        Assert.Equal(2, report.Totals.Requests);
        Assert.Equal(3, report.Totals.Images);
        Assert.Equal(3, report.Totals.Generated);
        Assert.True(report.Totals.SpendUsd > 0);
        var totals = json.GetProperty("totals");
        Assert.Equal(totals.GetProperty("requests").GetInt64(), report.Totals.Requests);
        Assert.Equal(totals.GetProperty("spend_usd").GetDecimal(), (decimal)report.Totals.SpendUsd);
        Assert.Equal(json.GetProperty("data").GetArrayLength(), report.Data.Count);
        Assert.All(report.Data, row => Assert.Equal(report.Data[0].KeyId, row.KeyId));
    }

    [Fact]
    public async Task Get_usage_with_a_bad_date_names_the_field()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client().GetUsageAsync(
            new GetUsageRequest { StartDate = "2026-13-45" }, Auth(GatewayFactory.KeyA)).ResponseAsync);
        var reversed = await Assert.ThrowsAsync<RpcException>(() => Client().GetUsageAsync(
            new GetUsageRequest { StartDate = "2026-11-02", EndDate = "2026-11-01" }, Auth(GatewayFactory.KeyA)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("start_date", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
        Assert.Equal("end_date", reversed.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task Grpc_web_on_the_http_port_serves_browsers_on_the_same_pipeline()
    {
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        using var channel = GrpcChannel.ForAddress(gateway.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWebText, new HttpClientHandler()),
            HttpVersion = System.Net.HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var client = new Images.ImagesClient(channel);

        var response = await client.GenerateAsync(new GenerateRequest { Prompt = $"a gRPC-Web fox {Guid.NewGuid():N}", Quality = "low" }, Auth(GatewayFactory.KeyA));
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(
            new GenerateRequest { Prompt = "bad size", Size = "13x7" }, Auth(GatewayFactory.KeyA)).ResponseAsync);

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Assert.Single(response.Data).ImageBytes.Span[..4].ToArray());
        Assert.Equal(served + 1, gateway.Simulator.Stats.Total.Snapshot().Served);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("size", refused.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task A_client_that_cancels_a_stream_cancels_the_upstream_call_and_frees_the_lease()
    {
        var aborted = gateway.Simulator.Stats.Total.Snapshot().Aborted;
        using var leave = new CancellationTokenSource();
        using var call = Client().GenerateStream(new GenerateRequest { Prompt = $"cancelled over gRPC {Guid.NewGuid():N}", PartialImages = 3 },
            Auth(GatewayFactory.KeyA), cancellationToken: leave.Token);

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(ImageStreamEvent.EventOneofCase.PartialImage, call.ResponseStream.Current.EventCase);
        await leave.CancelAsync();

        // Cancelled after the first of four events, 100 ms apart: the simulator sees its client leave.
        await Poll.UntilAsync(() => gateway.Simulator.Stats.Total.Snapshot().Aborted > aborted, "the upstream call was cancelled");
        using var admin = gateway.Admin();
        await Poll.UntilAsync(async () => (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/accounts")).GetProperty("data").EnumerateArray()
            .All(a => a.GetProperty("status").GetProperty("in_flight").GetInt32() == 0), "every account's lease is returned");
    }

    public void Dispose() => _channel.Dispose();

    private Images.ImagesClient Client() => new(_channel);

    private static Metadata Auth(string key) => new() { { "authorization", $"Bearer {key}" } };
}
