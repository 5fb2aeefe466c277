using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Canary splits operated through the admin API: set, shown, refused when malformed, ended.</summary>
public sealed class AdminCanaryTests(ExternalUpstreamFixture gateway) : IClassFixture<ExternalUpstreamFixture>
{
    [Fact]
    public async Task A_split_is_set_listed_and_ended_live_and_a_bad_share_is_refused()
    {
        using var admin = gateway.Admin();

        using var set = await admin.PutAsJsonAsync("/admin/canary/gpt-image-1-mini", new { group = "new-provider", share = 0.2, sticky = true });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var view = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("new-provider", 0.2, true), (view.GetProperty("group").GetString(), view.GetProperty("share").GetDouble(), view.GetProperty("sticky").GetBoolean()));

        var list = await admin.GetFromJsonAsync<JsonElement>("/admin/canary");
        Assert.Contains(list.GetProperty("data").EnumerateArray(), s => s.GetProperty("model").GetString() == "gpt-image-1-mini");

        using var tooMuch = await admin.PutAsJsonAsync("/admin/canary/gpt-image-1-mini", new { group = "new-provider", share = 1.5 });
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        Assert.Equal("share", (await tooMuch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());

        using var ended = await admin.DeleteAsync("/admin/canary/gpt-image-1-mini");
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        var after = await admin.GetFromJsonAsync<JsonElement>("/admin/canary");
        Assert.DoesNotContain(after.GetProperty("data").EnumerateArray(), s => s.GetProperty("model").GetString() == "gpt-image-1-mini");
    }

    [Fact]
    public async Task The_canary_api_needs_the_admin_key()
    {
        using var client = gateway.Http(GatewayFactory.KeyA);

        using var refused = await client.PutAsJsonAsync("/admin/canary/gpt-image-1-mini", new { group = "x", share = 0.5 });

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
