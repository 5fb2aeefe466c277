using System.Net;
using System.Text.Json;
using ImageOrleans.Simulator.Tests.TestSupport;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

public sealed class ImageGenerationTests : IAsyncLifetime
{
    private const string Key = "sk-generation-key-0001";
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(new SimulatorOptions
    {
        Keys = [new SimulatedKey { Key = Key, RequestsPerMinute = 100_000, ImagesPerMinute = 100_000 }],
        Image = new ImageOptions { Width = 40, Height = 24 },
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void BaseAddressIsTheBoundLoopbackPort()
    {
        Assert.Equal("127.0.0.1", _host.Server.BaseAddress.Host);
        Assert.NotEqual(0, _host.Server.BaseAddress.Port);
        Assert.Equal("/", _host.Server.BaseAddress.AbsolutePath);
    }

    [Fact]
    public async Task ReturnsNDecodablePngsThatDependOnThePrompt()
    {
        using var first = await _host.Client.GenerateAsync(Key, "a lighthouse at dusk", n: 3);
        using var second = await _host.Client.GenerateAsync(Key, "a lighthouse at dawn", n: 3);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        var firstImages = await DecodeImagesAsync(first);
        var secondImages = await DecodeImagesAsync(second);
        Assert.Equal(3, firstImages.Count);
        Assert.All(firstImages.Concat(secondImages), png =>
        {
            Assert.Equal(40, png.Width);
            Assert.Equal(24, png.Height);
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(firstImages[i].Pixels, secondImages[i].Pixels);
        }

        Assert.NotEqual(firstImages[0].Pixels, firstImages[1].Pixels);
    }

    [Fact]
    public async Task TheSamePromptGivesTheSameBytes()
    {
        using var first = await _host.Client.GenerateAsync(Key, "a quiet harbour");
        using var second = await _host.Client.GenerateAsync(Key, "a quiet harbour");

        var a = (await first.ReadJsonAsync()).GetProperty("data")[0].GetProperty("b64_json").GetString();
        var b = (await second.ReadJsonAsync()).GetProperty("data")[0].GetProperty("b64_json").GetString();
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task GptImageModelsEchoSettingsAndReportUsage()
    {
        var body = """{"model":"gpt-image-1","prompt":"twelve chars","n":2,"quality":"high","size":"1536x1024","background":"transparent"}""";
        using var response = await _host.Client.PostRawAsync("v1/images/generations", Key, body);

        var json = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1536x1024", json.GetProperty("size").GetString());
        Assert.Equal("high", json.GetProperty("quality").GetString());
        Assert.Equal("png", json.GetProperty("output_format").GetString());
        Assert.Equal("transparent", json.GetProperty("background").GetString());
        var usage = json.GetProperty("usage");
        Assert.Equal(3, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2 * 4160, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(3 + (2 * 4160), usage.GetProperty("total_tokens").GetInt64());
        Assert.Equal(3, usage.GetProperty("input_tokens_details").GetProperty("text_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("input_tokens_details").GetProperty("image_tokens").GetInt64());
        Assert.False(json.GetProperty("data")[0].TryGetProperty("revised_prompt", out _));
        var created = DateTimeOffset.FromUnixTimeSeconds(json.GetProperty("created").GetInt64());
        Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task AutoQualityCountsAsMedium()
    {
        using var response = await _host.Client.GenerateAsync(Key, "abcdefghi", model: "gpt-image-1-mini");

        var json = await response.ReadJsonAsync();
        Assert.Equal("medium", json.GetProperty("quality").GetString());
        Assert.Equal(1056, json.GetProperty("usage").GetProperty("output_tokens").GetInt64());
        Assert.Equal(3, json.GetProperty("usage").GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task DallE3RevisesThePromptAndReportsNoUsage()
    {
        using var response = await _host.Client.GenerateAsync(Key, "a red fox", model: "dall-e-3");

        var json = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("a red fox", json.GetProperty("data")[0].GetProperty("revised_prompt").GetString(), StringComparison.Ordinal);
        Assert.False(json.TryGetProperty("usage", out _));
        Assert.False(json.TryGetProperty("size", out _));
    }

    [Fact]
    public async Task UrlResponsesPointAtAServedPng()
    {
        using var response = await _host.Client.GenerateAsync(Key, "a red fox", model: "dall-e-2", responseFormat: "url", n: 2);

        var data = (await response.ReadJsonAsync()).GetProperty("data");
        Assert.Equal(2, data.GetArrayLength());
        var url = new Uri(data[0].GetProperty("url").GetString()!);
        Assert.False(data[0].TryGetProperty("b64_json", out _));
        Assert.True(url.IsAbsoluteUri);
        Assert.Equal(_host.Server.BaseAddress.Authority, url.Authority);

        using var image = await _host.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        var png = PngReader.Decode(await image.Content.ReadAsByteArrayAsync());
        Assert.Equal(40, png.Width);

        using var b64 = await _host.Client.GenerateAsync(Key, "a red fox", model: "dall-e-2", n: 1);
        var inline = Convert.FromBase64String((await b64.ReadJsonAsync()).GetProperty("data")[0].GetProperty("b64_json").GetString()!);
        Assert.Equal(inline, await image.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnknownImageIdsAre404()
    {
        using var response = await _host.Client.GetAsync("sim/images/not-an-id");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AzureRouteTakesTheApiKeyHeaderAndTheDeploymentAsModel()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "openai/deployments/gpt-image-1/images/generations?api-version=2025-04-01-preview")
        {
            Content = new StringContent("""{"prompt":"a red fox","n":1}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", Key);

        using var response = await _host.Client.SendAsync(request);

        var json = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(json.TryGetProperty("usage", out _), "the deployment name gpt-image-1 is the model, so usage is reported");
        PngReader.Decode(Convert.FromBase64String(json.GetProperty("data")[0].GetProperty("b64_json").GetString()!));
    }

    [Fact]
    public async Task AzureRouteRequiresTheApiVersion()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "openai/deployments/gpt-image-1/images/generations")
        {
            Content = new StringContent("""{"prompt":"a red fox"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", Key);

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("api-version", (await response.ReadErrorAsync()).GetProperty("param").GetString());
    }

    [Fact]
    public async Task TheOpenAiRouteIgnoresTheAzureHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/images/generations")
        {
            Content = new StringContent("""{"prompt":"a red fox"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", Key);

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AMissingKeyIs401()
    {
        using var response = await _host.Client.GenerateAsync(apiKey: null);

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.NotNull(response.Header("x-request-id"));
        Assert.Null(response.Header("x-ratelimit-limit-requests"));
    }

    [Fact]
    public async Task AnUnknownKeyIs401AndOnlyMasked()
    {
        using var response = await _host.Client.GenerateAsync("sk-live-secret-123456wxyz");

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith("Incorrect API key provided: sk-...wxyz.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"gpt-image-1"}""", "prompt", "missing_required_parameter")]
    [InlineData("""{"model":"gpt-image-1","prompt":""}""", "prompt", "string_below_min_length")]
    [InlineData("""{"model":"gpt-image-1","prompt":"x","n":0}""", "n", "integer_below_min_value")]
    [InlineData("""{"model":"gpt-image-1","prompt":"x","n":11}""", "n", "integer_above_max_value")]
    [InlineData("""{"model":"gpt-image-1","prompt":"x","response_format":"jpeg"}""", "response_format", "invalid_value")]
    public async Task InvalidRequestsAre400WithTheParam(string body, string param, string code)
    {
        using var response = await _host.Client.PostRawAsync("v1/images/generations", Key, body);

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("100000", response.Header("x-ratelimit-limit-requests"));
    }

    [Theory]
    [InlineData("""{"prompt": "unterminated""")]
    [InlineData("""{"prompt": 42}""")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task MalformedJsonIs400(string body)
    {
        using var response = await _host.Client.PostRawAsync("v1/images/generations", Key, body);

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("We could not parse the JSON body", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentPolicyKeywordIs400ContentPolicyViolation()
    {
        using var response = await _host.Client.GenerateAsync(Key, "please draw some Forbidden-Content now");

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("content_policy_violation", error.GetProperty("code").GetString());
        Assert.Equal("image_generation_user_error", error.GetProperty("type").GetString());
        Assert.Equal("prompt", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task SuccessfulResponsesCarryOpenAiHeaders()
    {
        using var response = await _host.Client.GenerateAsync(Key);

        Assert.StartsWith("req_", response.Header("x-request-id"), StringComparison.Ordinal);
        Assert.NotNull(response.Header("openai-processing-ms"));
        Assert.Equal("100000", response.Header("x-ratelimit-limit-requests"));
        Assert.Equal("100000", response.Header("x-ratelimit-limit-images"));
        Assert.NotNull(response.Header("x-ratelimit-remaining-requests"));
        Assert.NotNull(response.Header("x-ratelimit-reset-images"));
    }

    [Fact]
    public async Task ModelsListsTheImageModels()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);

        using var response = await _host.Client.SendAsync(request);

        var json = await response.ReadJsonAsync();
        Assert.Equal("list", json.GetProperty("object").GetString());
        var ids = json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(["gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare", "gpt-image-2", "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "dall-e-3", "dall-e-2"], ids);
        Assert.All(json.GetProperty("data").EnumerateArray(), m =>
        {
            Assert.Equal("model", m.GetProperty("object").GetString());
            Assert.Equal("simulator", m.GetProperty("owned_by").GetString());
            Assert.True(m.GetProperty("created").GetInt64() > 0);
        });
    }

    [Fact]
    public async Task ModelsRequiresAKey()
    {
        using var response = await _host.Client.GetAsync("v1/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<List<DecodedPng>> DecodeImagesAsync(HttpResponseMessage response)
    {
        var json = await response.ReadJsonAsync();
        return json.GetProperty("data").EnumerateArray()
            .Select(item => PngReader.Decode(Convert.FromBase64String(item.GetProperty("b64_json").GetString()!)))
            .ToList();
    }
}
