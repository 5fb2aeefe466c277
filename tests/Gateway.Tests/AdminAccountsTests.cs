using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The upstream pool operated through the admin API, and the secrets it must never let out.</summary>
public sealed class AdminAccountsTests(ExternalUpstreamFixture gateway) : IClassFixture<ExternalUpstreamFixture>
{
    private static readonly string[] Mini = ["gpt-image-1-mini"];
    private static readonly string[] GptImage1 = ["gpt-image-2.6-flare"];
    private static readonly string[] DallE3 = ["dall-e-3"];
    private static readonly int[] OnePercent = [1];

    [Fact]
    public async Task An_account_is_added_changed_drained_resumed_and_removed_live()
    {
        using var admin = gateway.Admin();
        using var client = gateway.Http(GatewayFactory.KeyA);
        using var added = await admin.PostAsJsonAsync("/admin/accounts", new
        {
            id = "drainable",
            kind = "compatible",
            base_url = gateway.UpstreamApi.ToString(),
            api_key = ExternalUpstreamFixture.AddedSecret,
            models = Mini,
            requests_per_minute = 60,
            images_per_minute = 60,
            price_factor = 0.5m,
        });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var view = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sk-…8d73", view.GetProperty("api_key").GetString());
        Assert.Equal("compatible", view.GetProperty("kind").GetString());

        // Served at once, and charged at the account's price factor.
        using (var served = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-1-mini", prompt = "live account", quality = "low" }))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        var status = (await admin.GetFromJsonAsync<JsonElement>("/admin/accounts/drainable")).GetProperty("status");
        Assert.Equal(1, status.GetProperty("successes").GetInt64());
        Assert.InRange(status.GetProperty("spend_today_usd").GetDecimal(), 0.001m, 0.0012m);

        using var patched = await admin.PatchAsJsonAsync("/admin/accounts/drainable", new { requests_per_minute = 5, weight = 2.0, group = "eu" });
        var changed = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, changed.GetProperty("requests_per_minute").GetInt32());
        Assert.Equal("eu", changed.GetProperty("group").GetString());
        Assert.Equal(60, changed.GetProperty("images_per_minute").GetInt32());

        // Drained: no new leases, so a request for its model waits and times out without an upstream call.
        using var drained = await admin.PostAsync("/admin/accounts/drainable/drain", null);
        Assert.True((await drained.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetProperty("draining").GetBoolean());
        var before = gateway.Upstream.Stats.Total.Snapshot().Served;
        using (var waiting = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations"))
        {
            waiting.Content = JsonContent.Create(new { model = "gpt-image-1-mini", prompt = "while drained", quality = "low" });
            waiting.Headers.Add("x-imageorleans-timeout-ms", "300");
            using var timedOut = await client.SendAsync(waiting);
            Assert.Contains(timedOut.StatusCode, (HttpStatusCode[])[HttpStatusCode.GatewayTimeout, HttpStatusCode.ServiceUnavailable]);
        }

        Assert.Equal(before, gateway.Upstream.Stats.Total.Snapshot().Served);

        using var resumed = await admin.PostAsync("/admin/accounts/drainable/resume", null);
        Assert.False((await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetProperty("draining").GetBoolean());
        using (var again = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-1-mini", prompt = "after resume", quality = "low" }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using var reset = await admin.PostAsync("/admin/accounts/drainable/reset-health", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        using var removed = await admin.DeleteAsync("/admin/accounts/drainable");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        using var gone = await admin.GetAsync("/admin/accounts/drainable");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var unserved = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-1-mini", prompt = "no account left" });
        Assert.Equal(HttpStatusCode.NotFound, unserved.StatusCode);
    }

    [Fact]
    public async Task Bad_account_definitions_are_refused_by_field()
    {
        using var admin = gateway.Admin();
        var url = gateway.UpstreamApi.ToString();
        foreach (var (json, param) in ((string, string)[])
                 [
                     ("{\"models\":[\"gpt-image-1\"],\"kind\":\"simulated\"}", "id"),
                     ("{\"id\":\"x1\",\"kind\":\"simulated\"}", "models"),
                     ("{\"id\":\"x2\",\"kind\":\"openai\",\"models\":[\"gpt-image-1\"]}", "api_key"),
                     ("{\"id\":\"x3\",\"kind\":\"compatible\",\"models\":[\"gpt-image-1\"]}", "base_url"),
                     ("{\"id\":\"x4\",\"kind\":\"compatible\",\"base_url\":\"not a url\",\"models\":[\"gpt-image-1\"]}", "base_url"),
                     ("{\"id\":\"x5\",\"kind\":\"moon\",\"models\":[\"gpt-image-1\"]}", "kind"),
                     ("{\"id\":\"x6\",\"kind\":\"simulated\",\"models\":[\"gpt-image-1\"],\"timeout_seconds\":0}", "timeout_seconds"),
                     ("{\"id\":\"x7\",\"kind\":\"simulated\",\"models\":[\"gpt-image-1\"],\"max_concurrency\":\"8\"}", "max_concurrency"),
                     ("{\"id\":\"x8\",\"kind\":\"simulated\",\"models\":[\"gpt-image-1\"],\"secret\":\"typo\"}", "secret"),
                     ("{\"id\":\"x9\",\"kind\":\"simulated\",\"models\":[\"gpt-image-1|low\"]}", "models"),
                     ("{\"id\":\"x10\",\"kind\":\"simulated\",\"models\":[\"gpt image\"]}", "models"),
                 ])
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using var bad = await admin.PostAsync("/admin/accounts", content);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var error = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        using var duplicate = await admin.PostAsJsonAsync("/admin/accounts", new { id = "configured", kind = "compatible", base_url = url, api_key = "sk-x", models = GptImage1 });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        using var missing = await admin.PatchAsJsonAsync("/admin/accounts/nobody", new { weight = 2 });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var notJson = await admin.PostAsync("/admin/accounts", new StringContent("{\"id\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task No_upstream_or_client_secret_reaches_the_logs_or_any_response()
    {
        using var admin = gateway.Admin();
        using var client = gateway.Http(GatewayFactory.KeyA);
        var responses = new StringBuilder();

        // With the good account disabled, the one whose key the upstream revoked gets the request,
        // answers 401 and is taken out of rotation with a warning naming its masked key.
        using (var disabled = await admin.PatchAsJsonAsync("/admin/accounts/configured", new { enabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }

        using (var doomed = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations"))
        {
            doomed.Content = JsonContent.Create(new { prompt = "only the revoked account", quality = "low" });
            doomed.Headers.Add("x-imageorleans-timeout-ms", "1000");
            using var failed = await client.SendAsync(doomed);
            Assert.NotEqual(HttpStatusCode.OK, failed.StatusCode);
            responses.Append(await failed.Content.ReadAsStringAsync());
        }

        using (var enabled = await admin.PatchAsJsonAsync("/admin/accounts/configured", new { enabled = true }))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/images/generations", new { prompt = $"secret scan {i}", quality = "low" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var revoked = (await admin.GetFromJsonAsync<JsonElement>("/admin/accounts/revoked")).GetProperty("status");
        Assert.NotEqual("None", revoked.GetProperty("blocked").GetString());

        // A key added, then replaced, through the admin API: answered masked, used for real.
        using var added = await admin.PostAsJsonAsync("/admin/accounts", new
        {
            id = "added", kind = "compatible", base_url = gateway.UpstreamApi.ToString(), api_key = ExternalUpstreamFixture.AddedSecret, models = DallE3,
        });
        responses.Append(await added.Content.ReadAsStringAsync());
        using var replaced = await admin.PatchAsJsonAsync("/admin/accounts/added", new { api_key = ExternalUpstreamFixture.ReplacedSecret });
        responses.Append(await replaced.Content.ReadAsStringAsync());
        using (var dalle = await client.PostAsJsonAsync("/v1/images/generations", new { model = "dall-e-3", prompt = "served with the replaced key" }))
        {
            Assert.Equal(HttpStatusCode.OK, dalle.StatusCode);
        }

        Assert.Equal(1, gateway.Upstream.Stats.Snapshot().Keys[ExternalUpstreamFixture.ReplacedSecret].Served);

        // Client keys: created with a webhook secret, rotated, used, and a wrong one presented.
        using var created = await admin.PostAsJsonAsync("/admin/keys", new
        {
            id = "scanned", name = "scanned", daily_budget_usd = 1m, alert_thresholds = OnePercent,
            webhook_url = "http://127.0.0.1:9/hooks", webhook_secret = ExternalUpstreamFixture.WebhookSecret,
        });
        var createdBody = await created.Content.ReadFromJsonAsync<JsonElement>();
        var first = createdBody.GetProperty("key").GetString()!;
        Assert.NotEqual(ExternalUpstreamFixture.WebhookSecret, createdBody.GetProperty("webhook_secret").GetString());
        using var rotated = await admin.PostAsJsonAsync("/admin/keys/scanned/rotate", new { grace_seconds = 60 });
        var second = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using (var withKey = gateway.Http(second))
        using (var generated = await withKey.PostAsJsonAsync("/v1/images/generations", new { prompt = "client key scan", quality = "high" }))
        {
            Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        }

        const string Wrong = "sk-io-presented-but-wrong-0123456789";
        using (var wrong = gateway.Http(Wrong))
        using (var refused = await wrong.GetAsync("/v1/models"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        foreach (var path in (string[])["/admin/accounts", "/admin/keys", "/admin/keys/scanned", "/admin/usage"])
        {
            responses.Append(await admin.GetStringAsync(path));
        }

        // The budget alert (1 % of $1 after a high-quality image) was logged: proof the capture sees the gateway's events.
        var logs = gateway.Logs.Text;
        Assert.Contains("Budget alert: client key scanned", logs, StringComparison.Ordinal);
        Assert.Contains("sk-…04e2", logs, StringComparison.Ordinal);

        string[] secrets =
        [
            ExternalUpstreamFixture.ConfiguredSecret, ExternalUpstreamFixture.RevokedSecret, ExternalUpstreamFixture.AddedSecret,
            ExternalUpstreamFixture.ReplacedSecret, ExternalUpstreamFixture.WebhookSecret, first, second, Wrong,
            GatewayFactory.KeyA, AdminGatewayFixture.AdminKey,
        ];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, responses.ToString(), StringComparison.Ordinal);
        }
    }
}
