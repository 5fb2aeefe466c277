using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Blocked terms refuse a prompt before any upstream call or charge; the output hook withholds images it refuses, still charged.</summary>
public sealed class ContentCheckTests(ContentCheckGatewayFixture gateway) : IClassFixture<ContentCheckGatewayFixture>
{
    [Theory]
    [InlineData(GatewayFactory.KeyA, "a red DRÁGON over the hills")]
    [InlineData(GatewayFactory.KeyA, "a ｄｒａｇｏｎ in full-width letters")]
    [InlineData(GatewayFactory.KeyA, "the Forbidden   Fruit")]
    [InlineData(GatewayFactory.KeyB, "a uni\u200Bcorn with an invisible space")]
    [InlineData(GatewayFactory.KeyB, "forbidden fruit")]
    public async Task A_blocked_term_refuses_the_prompt_before_any_upstream_call_naming_no_term(string key, string prompt)
    {
        using var http = gateway.Http(key);
        var requests = gateway.Simulator.Stats.Total.Snapshot().Requests;

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { prompt });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("prompt_blocked", error.GetProperty("code").GetString());
        Assert.Equal("prompt", error.GetProperty("param").GetString());
        foreach (var term in new[] { "dragon", "fruit", "unicorn" })
        {
            Assert.DoesNotContain(term, error.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(requests, gateway.Simulator.Stats.Total.Snapshot().Requests);
    }

    [Fact]
    public async Task A_term_blocked_for_one_key_passes_for_another()
    {
        using var http = gateway.Http(GatewayFactory.KeyB);

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { prompt = $"a dragon {Guid.NewGuid():N}", quality = "low" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_image_the_output_hook_refuses_is_withheld_and_still_charged()
    {
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "hooked", daily_budget_usd = 1m });
        gateway.RefusedKeys[id] = true;
        using var http = gateway.Http(secret);
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { model = "dall-e-2", prompt = $"checked after {Guid.NewGuid():N}", size = "256x256" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("output_blocked", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(served + 1, gateway.Simulator.Stats.Total.Snapshot().Served);

        // The hook saw the image through its signed link, and the generation was paid: dall-e-2 256x256 is $0.016.
        var call = Assert.Single(gateway.HookCalls, c => c.Request.GetProperty("key_id").GetString() == id);
        Assert.True(call.FetchedPng);
        await Poll.UntilAsync(async () => (await gateway.KeyAsync(id)).GetProperty("spend").GetProperty("today_usd").GetDecimal() == 0.016m, "the withheld generation is charged");
    }

    [Fact]
    public async Task An_image_the_output_hook_allows_is_answered()
    {
        using var http = gateway.Http(GatewayFactory.KeyA);

        using var response = await http.PostAsJsonAsync("/v1/images/generations", new { prompt = $"allowed after {Guid.NewGuid():N}", quality = "low" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(gateway.HookCalls, c => c.Request.GetProperty("key_id").GetString() == "tenant-a" && c.FetchedPng);
    }
}
