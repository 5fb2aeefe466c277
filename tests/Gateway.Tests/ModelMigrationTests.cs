using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Today's models, retirements and aliases, as a client sees them over HTTP.</summary>
public sealed class ModelMigrationTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task An_aliased_retired_model_runs_on_its_successor_and_says_so()
    {
        using var http = gateway.Http();

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-1", prompt = $"an old client {Guid.NewGuid():N}", quality = "low" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-image-2.6-sunburst", response.Headers.GetValues("x-imageorleans-model").Single());
        Assert.Equal("gpt-image-1", response.Headers.GetValues("x-imageorleans-requested-model").Single());

        // RFC 9745: the date gpt-image-1 was shut down, 2026-10-23T00:00:00Z.
        Assert.Equal("@1792713600", response.Headers.GetValues("Deprecation").Single());
        Assert.Equal("gpt-image-2.5-sunburst", response.Headers.GetValues("x-imageorleans-model-successor").Single());
    }

    [Fact]
    public async Task The_official_sdk_keeps_working_on_an_aliased_model()
    {
        var client = gateway.ImageClient("gpt-image-1");

        var image = await client.GenerateImageAsync($"an old SDK client {Guid.NewGuid():N}");

        Assert.NotEmpty(image.Value.ImageBytes.ToArray());
    }

    [Fact]
    public async Task A_retired_model_without_alias_is_not_found_with_its_shutdown_date_and_successor()
    {
        using var http = gateway.Http();

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-1.5", prompt = "retired today" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("The model 'gpt-image-1.5' was shut down on 2026-12-01; use 'gpt-image-2.6-sunburst' instead.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_current_model_reports_what_was_produced_not_auto_and_the_usage()
    {
        using var http = gateway.Http();

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = $"what was made {Guid.NewGuid():N}" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-image-2.6-flare", response.Headers.GetValues("x-imageorleans-model").Single());
        Assert.False(response.Headers.Contains("Deprecation"));
        Assert.Equal("usage", response.Headers.GetValues("x-imageorleans-cost-basis").Single());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        // The request left size, quality and background on auto; the simulator reports what it made.
        Assert.Equal("1024x1024", body.GetProperty("size").GetString());
        Assert.Equal("medium", body.GetProperty("quality").GetString());
        Assert.Equal("opaque", body.GetProperty("background").GetString());
        Assert.Equal("png", body.GetProperty("output_format").GetString());
        Assert.Equal(1056, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task A_request_without_model_runs_on_the_current_default()
    {
        using var http = gateway.Http();

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { prompt = $"no model named {Guid.NewGuid():N}", quality = "low" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-image-2.6-flare", response.Headers.GetValues("x-imageorleans-model").Single());
    }
}
