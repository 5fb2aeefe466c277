using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The HTTP contract itself: headers, caching, tenants and the shape of every error.</summary>
public sealed class HttpContractTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Every_response_carries_a_request_id_and_echoes_a_sane_one()
    {
        using var http = gateway.Http();
        using var generated = await http.PostAsJsonAsync("/v1/images/generations", new { prompt = "request id test" });
        Assert.StartsWith("req_", generated.Headers.GetValues("x-request-id").Single(), StringComparison.Ordinal);

        using var mine = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = Json(new { prompt = "" }) };
        mine.Headers.Add("x-request-id", "client-chosen-42");
        using var error = await http.SendAsync(mine);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("client-chosen-42", error.Headers.GetValues("x-request-id").Single());

        using var notFound = await http.GetAsync("/v1/nowhere");
        Assert.Single(notFound.Headers.GetValues("x-request-id"));
    }

    [Fact]
    public async Task An_identical_request_is_a_cache_hit_and_no_cache_bypasses_it()
    {
        using var http = gateway.Http();
        var body = new { model = "gpt-image-2.6-flare", prompt = "cache test: a blue bicycle", quality = "low" };
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        using var first = await http.PostAsJsonAsync("/v1/images/generations", body);
        using var second = await http.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "  cache test:   a blue bicycle ", quality = "low" });
        Assert.Equal("miss", first.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal("hit", second.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal(await ImageBytes(first), await ImageBytes(second));
        Assert.Equal(served + 1, gateway.Simulator.Stats.Total.Snapshot().Served);

        using var fresh = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = Json(body) };
        fresh.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        using var bypassed = await http.SendAsync(fresh);
        Assert.Equal("bypass", bypassed.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal(served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task Keys_of_one_tenant_share_the_cache_and_other_tenants_never_see_it()
    {
        var body = new { prompt = "tenant isolation: a green kite" };
        using var tenantA = gateway.Http(GatewayFactory.KeyA);
        using var tenantASecondKey = gateway.Http(GatewayFactory.KeyA2);
        using var tenantB = gateway.Http(GatewayFactory.KeyB);

        using var a = await tenantA.PostAsJsonAsync("/v1/images/generations", body);
        using var a2 = await tenantASecondKey.PostAsJsonAsync("/v1/images/generations", body);
        using var b = await tenantB.PostAsJsonAsync("/v1/images/generations", body);

        Assert.Equal("miss", a.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal("hit", a2.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal("miss", b.Headers.GetValues("x-imageorleans-cache").Single());
    }

    public static TheoryData<string, string?, string, HttpStatusCode, string?, string?> MalformedRequests => new()
    {
        // content type, authorization key, body, status, code, param
        { "application/json", null, """{"prompt":"x"}""", HttpStatusCode.Unauthorized, "missing_api_key", null },
        { "application/json", "sk-wrong", """{"prompt":"x"}""", HttpStatusCode.Unauthorized, "invalid_api_key", null },
        { "text/plain", GatewayFactory.KeyA, """{"prompt":"x"}""", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", null },
        { "application/json", GatewayFactory.KeyA, "{\"prompt\":", HttpStatusCode.BadRequest, "invalid_json", null },
        { "application/json", GatewayFactory.KeyA, """{"prompt":"x","n":"3"}""", HttpStatusCode.BadRequest, "invalid_type", "n" },
        { "application/json", GatewayFactory.KeyA, """{"prompt":"x","size":"640x480"}""", HttpStatusCode.BadRequest, "invalid_value", "size" },
        { "application/json", GatewayFactory.KeyA, """{"prompt":"x","model":"imagen-9"}""", HttpStatusCode.NotFound, "model_not_found", "model" },
        { "application/json; charset=utf-8", GatewayFactory.KeyA, """{"prompt":"x","colour":"red"}""", HttpStatusCode.BadRequest, "unknown_parameter", "colour" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task Malformed_requests_get_openai_shaped_errors(string contentType, string? key, string body, HttpStatusCode status, string? code, string? param)
    {
        using var http = gateway.Http(key);
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var response = await http.PostAsync("/v1/images/generations", content);

        Assert.Equal(status, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task A_huge_body_is_a_413_not_a_500()
    {
        using var http = gateway.Http();
        var huge = "{\"prompt\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";

        using var response = await http.PostAsync("/v1/images/generations", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_in_openai_shape()
    {
        using var http = gateway.Http();

        using var missing = await http.GetAsync("/v1/images/upscales");
        using var wrongMethod = await http.GetAsync("/v1/images/generations");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("unknown_url", (await ErrorOf(missing)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("method_not_allowed", (await ErrorOf(wrongMethod)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Models_lists_what_the_pool_serves()
    {
        using var http = gateway.Http();

        var list = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        var ids = list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();

        Assert.Equal("list", list.GetProperty("object").GetString());
        // The test pool serves today's models and, as a compatible vendor may, the two DALL·E models by name.
        Assert.Equal(["dall-e-2", "dall-e-3", "gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst", "gpt-image-2.6-flare", "gpt-image-2.6-sunburst"], ids);
        using var one = await http.GetAsync("/v1/models/gpt-image-2.6-sunburst");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        using var none = await http.GetAsync("/v1/models/imagen-9");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        using var http = gateway.Http(key: null);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<byte[]> ImageBytes(HttpResponseMessage response)
    {
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("data")[0].GetProperty("b64_json").GetBytesFromBase64();
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("error");
    }
}
