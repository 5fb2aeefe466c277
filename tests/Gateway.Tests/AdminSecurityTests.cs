using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>What the admin key alone cannot do: move an upstream key to a new host, or point the gateway outside its egress allow-list.</summary>
public sealed class AdminSecurityTests(HardenedGatewayFixture gateway) : IClassFixture<HardenedGatewayFixture>
{
    private static readonly string[] DallE2 = ["dall-e-2"];

    [Fact]
    public async Task Changing_base_url_or_kind_of_an_account_requires_its_api_key_in_the_same_request()
    {
        using var admin = gateway.Admin();
        using var added = await admin.PostAsJsonAsync("/admin/accounts", new
        {
            id = "azure-eu", kind = "azure_openai", base_url = "https://eu.openai.azure.com/", api_key = "azure-key-one", models = DallE2, enabled = false,
        });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        foreach (var change in new object[] { new { base_url = "https://other.openai.azure.com/" }, new { kind = "compatible" }, new { kind = "openai", base_url = (string?)null } })
        {
            using var refused = await admin.PatchAsJsonAsync("/admin/accounts/azure-eu", change);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("api_key", (await Error(refused)).GetProperty("param").GetString());
        }

        var unchanged = await admin.GetFromJsonAsync<JsonElement>("/admin/accounts/azure-eu");
        Assert.Equal("https://eu.openai.azure.com/", unchanged.GetProperty("base_url").GetString());

        // Other fields, or the same base URL again, need no key.
        using (var weight = await admin.PatchAsJsonAsync("/admin/accounts/azure-eu", new { weight = 2.0, base_url = "https://eu.openai.azure.com/" }))
        {
            Assert.Equal(HttpStatusCode.OK, weight.StatusCode);
        }

        using var moved = await admin.PatchAsJsonAsync("/admin/accounts/azure-eu", new { base_url = "https://other.openai.azure.com/", api_key = "azure-key-two" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("https://other.openai.azure.com/", (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("base_url").GetString());
    }

    [Theory]
    [InlineData("compatible", "https://attacker.example/v1")]
    [InlineData("compatible", "http://127.0.0.1:9/v1")]
    [InlineData("compatible", "http://169.254.169.254/v1")]
    [InlineData("openai", null)]
    public async Task An_admin_added_account_must_point_at_an_allowed_host(string kind, string? baseUrl)
    {
        using var admin = gateway.Admin();
        var id = "outside-" + Guid.NewGuid().ToString("N")[..8];

        using var refused = await admin.PostAsJsonAsync("/admin/accounts", new { id, kind, base_url = baseUrl, api_key = "some-upstream-key", models = DallE2 });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = await Error(refused);
        Assert.Equal("base_url", error.GetProperty("param").GetString());
        Assert.Contains("ImageOrleans:Upstreams:AllowedHosts", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var missing = await admin.GetAsync($"/admin/accounts/{id}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task An_existing_account_cannot_be_moved_outside_the_allow_list_even_with_its_key()
    {
        using var admin = gateway.Admin();
        using var added = await admin.PostAsJsonAsync("/admin/accounts", new
        {
            id = "azure-west", kind = "azure_openai", base_url = "https://west.openai.azure.com/", api_key = "azure-key-west", models = DallE2, enabled = false,
        });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        using var refused = await admin.PatchAsJsonAsync("/admin/accounts/azure-west", new { base_url = "https://attacker.example/", api_key = "azure-key-west" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("base_url", (await Error(refused)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_key_webhook_must_point_at_an_allowed_host()
    {
        using var admin = gateway.Admin();

        using var outside = await admin.PostAsJsonAsync("/admin/keys", new { id = "hooked-outside", webhook_url = "https://attacker.example/hook" });
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.Equal("webhook_url", (await Error(outside)).GetProperty("param").GetString());

        using var inside = await admin.PostAsJsonAsync("/admin/keys", new { id = "hooked", webhook_url = "https://hooks.example.com/budget" });
        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);

        using var metadata = await admin.PatchAsJsonAsync("/admin/keys/hooked", new { webhook_url = "http://169.254.169.254/latest/meta-data/" });
        Assert.Equal(HttpStatusCode.BadRequest, metadata.StatusCode);
        Assert.Equal("webhook_url", (await Error(metadata)).GetProperty("param").GetString());
        var kept = await admin.GetFromJsonAsync<JsonElement>("/admin/keys/hooked");
        Assert.Equal("https://hooks.example.com/budget", kept.GetProperty("webhook_url").GetString());
    }

    [Fact]
    public async Task The_embedded_simulator_still_serves_under_an_allow_list_that_does_not_name_it()
    {
        using var client = gateway.Http(GatewayFactory.KeyA);

        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "served under an allow-list", quality = "low" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> Error(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
}
