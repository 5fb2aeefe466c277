using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary><c>stream: true</c>: events passed through as the upstream sends them, errors before and after the first byte, hang-ups.</summary>
public sealed class StreamingTests(AdminGatewayFixture gateway) : IClassFixture<AdminGatewayFixture>
{
    [Fact]
    public async Task A_streamed_generation_sends_its_partial_images_then_the_completed_one_with_usage()
    {
        using var http = gateway.Http();

        using var response = await SendAsync(http, new { model = "gpt-image-1", prompt = $"streamed fox {Guid.NewGuid():N}", stream = true, partial_images = 2, quality = "low" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("gpt-image-2.6-sunburst", response.Headers.GetValues("x-imageorleans-model").Single());
        Assert.Equal("@1792713600", response.Headers.GetValues("Deprecation").Single());
        using var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync());
        var all = await events.AllAsync();
        Assert.Equal(["image_generation.partial_image", "image_generation.partial_image", "image_generation.completed"], all.Select(e => e.Type));
        Assert.Equal([0, 1], all.Take(2).Select(e => e.Data.GetProperty("partial_image_index").GetInt32()));
        var completed = all[^1].Data;
        Assert.Equal("image_generation.completed", completed.GetProperty("type").GetString());
        Assert.NotEmpty(completed.GetProperty("b64_json").GetBytesFromBase64());
        Assert.Equal("low", completed.GetProperty("quality").GetString());
        Assert.Equal(272, completed.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task A_streamed_edit_sends_image_edit_events()
    {
        using var http = gateway.Http();
        var form = ImageEditTests.Form($"streamed edit {Guid.NewGuid():N}", [TestPng.Create(32, 32)], TestPng.Create(32, 32, alpha: true), ("stream", "true"), ("partial_images", "1"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/edits") { Content = form };

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync());
        var all = await events.AllAsync();
        Assert.Equal(["image_edit.partial_image", "image_edit.completed"], all.Select(e => e.Type));
        Assert.Equal(388, all[^1].Data.GetProperty("usage").GetProperty("input_tokens_details").GetProperty("image_tokens").GetInt32());
    }

    [Fact]
    public async Task A_stream_the_cache_can_answer_gets_a_single_completed_event_and_no_upstream_call()
    {
        using var http = gateway.Http();
        var prompt = $"cached then streamed {Guid.NewGuid():N}";
        using (var first = await http.PostAsJsonAsync("/v1/images/generations", new { prompt, quality = "low" }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var requests = gateway.Simulator.Stats.Total.Snapshot().Requests;

        using var response = await SendAsync(http, new { prompt, quality = "low", stream = true, partial_images = 2 });

        Assert.Equal("hit", response.Headers.GetValues("x-imageorleans-cache").Single());
        using var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync());
        var all = await events.AllAsync();
        Assert.Equal(["image_generation.completed"], all.Select(e => e.Type));
        Assert.NotEmpty(all[0].Data.GetProperty("b64_json").GetBytesFromBase64());
        Assert.Equal(requests, gateway.Simulator.Stats.Total.Snapshot().Requests);
    }

    [Fact]
    public async Task A_refusal_before_the_first_byte_is_an_ordinary_json_error()
    {
        using var http = gateway.Http();

        using var response = await SendAsync(http, new { model = "gpt-image-1.5", prompt = "retired", stream = true });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("model_not_found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_upstream_failure_mid_stream_is_an_error_event_in_openais_shape()
    {
        using var http = gateway.Http();

        using var response = await SendAsync(http, new { prompt = $"[fail-mid-stream] {Guid.NewGuid():N}", stream = true, partial_images = 2 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync());
        var all = await events.AllAsync();
        Assert.Equal(["image_generation.partial_image", "error"], all.Select(e => e.Type));
        var error = all[^1].Data.GetProperty("error");
        Assert.Equal("upstream_stream_failed", error.GetProperty("code").GetString());
        Assert.Equal("server_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_client_that_hangs_up_mid_stream_cancels_the_upstream_call_and_frees_the_lease()
    {
        // No draining on dispose: a client that leaves closes its connection rather than reading on.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = gateway.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFactory.KeyA);
        var aborted = gateway.Simulator.Stats.Total.Snapshot().Aborted;

        using (var response = await SendAsync(http, new { prompt = $"hang up {Guid.NewGuid():N}", stream = true, partial_images = 3 }))
        using (var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync()))
        {
            Assert.Equal("image_generation.partial_image", (await events.NextAsync())!.Value.Type);
        }

        // Hung up after the first of four events, 100 ms apart: the simulator sees its client leave.
        await Poll.UntilAsync(() => gateway.Simulator.Stats.Total.Snapshot().Aborted > aborted, "the upstream call was cancelled");
        using var admin = gateway.Admin();
        await Poll.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/admin/accounts")).GetProperty("data").EnumerateArray()
            .All(a => a.GetProperty("status").GetProperty("in_flight").GetInt32() == 0), "every account's lease is returned");
        Assert.Equal(0, gateway.Simulator.Stats.Total.Snapshot().InFlight);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, object body) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(body) }, HttpCompletionOption.ResponseHeadersRead);
}
