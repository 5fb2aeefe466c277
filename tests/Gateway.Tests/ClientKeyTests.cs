using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Client keys through the HTTP front door: admin lifecycle, quotas, budgets, downgrades, usage and isolation.</summary>
public sealed class ClientKeyTests(AdminGatewayFixture gateway) : IClassFixture<AdminGatewayFixture>
{
    private static readonly string[] GptImage1 = ["gpt-image-2.6-flare"];

    [Fact]
    public async Task Admin_endpoints_refuse_client_keys_and_missing_keys()
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "would-be admin" });
        foreach (var path in (string[])["/admin/keys", "/admin/accounts", "/admin/usage"])
        {
            using var asClient = gateway.Http(secret);
            using var withClientKey = await asClient.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, withClientKey.StatusCode);
            Assert.Equal("invalid_api_key", (await Error(withClientKey)).GetProperty("code").GetString());

            using var asConfiguredClient = gateway.Http(GatewayFactory.KeyA);
            using var withConfiguredKey = await asConfiguredClient.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, withConfiguredKey.StatusCode);

            using var anonymous = gateway.Http(key: null);
            using var withoutKey = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);

            using var admin = gateway.Admin();
            using var allowed = await admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // And the admin key is no client key.
        using var adminAsClient = gateway.Http(AdminGatewayFixture.AdminKey);
        using var generation = await adminAsClient.PostAsJsonAsync("/v1/images/generations", new { prompt = "admin is not a client" });
        Assert.Equal(HttpStatusCode.Unauthorized, generation.StatusCode);
    }

    [Fact]
    public async Task A_created_key_is_shown_once_then_only_masked_and_works_at_once()
    {
        using var admin = gateway.Admin();
        using var created = await admin.PostAsJsonAsync("/admin/keys", new { id = "catalogue", name = "Catalogue", requests_per_minute = 100, allowed_models = GptImage1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = body.GetProperty("key").GetString()!;
        Assert.StartsWith("sk-io-", secret, StringComparison.Ordinal);
        Assert.Equal("…" + secret[^4..], body.GetProperty("key_hint").GetString());

        using var list = await admin.GetAsync("/admin/keys");
        var listed = await list.Content.ReadAsStringAsync();
        Assert.Contains("\"catalogue\"", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        var one = await gateway.KeyAsync("catalogue");
        Assert.False(one.TryGetProperty("key", out _));

        using var client = gateway.Http(secret);
        using var models = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal("100", models.Headers.GetValues("x-ratelimit-limit-requests").Single());

        // Allowed models hold.
        using var refused = await client.PostAsJsonAsync("/v1/images/generations", new { model = "dall-e-3", prompt = "not for this key" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("model", (await Error(refused)).GetProperty("param").GetString());

        using var duplicate = await admin.PostAsJsonAsync("/admin/keys", new { id = "catalogue" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
    }

    [Fact]
    public async Task Over_its_request_quota_a_key_gets_429_with_its_own_limits_in_the_headers()
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "quota", requests_per_minute = 3, images_per_minute = 100 });
        using var client = gateway.Http(secret);
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        var remaining = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.PostAsJsonAsync("/v1/images/generations", new { prompt = $"quota {i}", quality = "low" });
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("3", ok.Headers.GetValues("x-ratelimit-limit-requests").Single());
            Assert.Equal("100", ok.Headers.GetValues("x-ratelimit-limit-images").Single());
            remaining.Add(ok.Headers.GetValues("x-ratelimit-remaining-requests").Single());
            Assert.Matches("^[0-9]+(ms|s)$|^[0-9]+m[0-9]+s$", ok.Headers.GetValues("x-ratelimit-reset-requests").Single());
        }

        Assert.Equal(["2", "1", "0"], remaining);
        using var limited = await client.PostAsJsonAsync("/v1/images/generations", new { prompt = "quota 3", quality = "low" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var error = await Error(limited);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("0", limited.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 20);

        // The refusal came from the key, not the pool: nothing more went upstream.
        Assert.Equal(served + 3, gateway.Simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task An_images_quota_counts_images_and_refuses_a_request_larger_than_the_quota()
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "images", requests_per_minute = 0, images_per_minute = 4 });
        using var client = gateway.Http(secret);

        using var three = await client.PostAsJsonAsync("/v1/images/generations", new { prompt = "three at once", n = 3, quality = "low" });
        Assert.Equal(HttpStatusCode.OK, three.StatusCode);
        Assert.Equal("1", three.Headers.GetValues("x-ratelimit-remaining-images").Single());
        Assert.False(three.Headers.Contains("x-ratelimit-limit-requests"));

        using var two = await client.PostAsJsonAsync("/v1/images/generations", new { prompt = "two more", n = 2, quality = "low" });
        Assert.Equal(HttpStatusCode.TooManyRequests, two.StatusCode);

        using var five = await client.PostAsJsonAsync("/v1/images/generations", new { prompt = "never fits", n = 5, quality = "low" });
        Assert.Equal(HttpStatusCode.BadRequest, five.StatusCode);
        Assert.Equal("n", (await Error(five)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task Revocation_and_rotation_take_effect_at_once()
    {
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "short-lived" });
        using var admin = gateway.Admin();
        using (var client = gateway.Http(secret))
        using (var before = await client.GetAsync("/v1/models"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // Rotation with a grace period: old and new both work.
        using var rotated = await admin.PostAsJsonAsync($"/admin/keys/{id}/rotate", new { grace_seconds = 3600 });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var rotatedBody = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var second = rotatedBody.GetProperty("key").GetString()!;
        Assert.NotEqual(secret, second);
        Assert.True(rotatedBody.GetProperty("previous_key_valid_until").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(59));
        Assert.Equal(HttpStatusCode.OK, await StatusWith(secret));
        Assert.Equal(HttpStatusCode.OK, await StatusWith(second));

        // Rotation without grace: the old key stops at once.
        using var again = await admin.PostAsJsonAsync($"/admin/keys/{id}/rotate", new { grace_seconds = 0 });
        var third = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(second));
        Assert.Equal(HttpStatusCode.OK, await StatusWith(third));

        // Revocation: the current key and the one still in its grace period stop at once.
        using var revoked = await admin.PostAsync($"/admin/keys/{id}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.True((await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revoked").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(third));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(secret));
        using var generate = gateway.Http(third);
        using var refused = await generate.PostAsJsonAsync("/v1/images/generations", new { prompt = "after revocation" });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_budget_is_never_overspent_by_100_requests_racing_at_its_edge()
    {
        // Each low-quality square gpt-image-2.6-flare image reserves about $0.0092 (the per-image estimate
        // with its margin) and is charged about $0.0082 (272 output tokens at $30/M): the budget pays
        // for five, not 100.
        const decimal Budget = 0.05m;
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "edge", daily_budget_usd = Budget, requests_per_minute = 0, images_per_minute = 0 });
        using var client = gateway.Http(secret);
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations")
            {
                Content = JsonContent.Create(new { model = "gpt-image-2.6-flare", prompt = $"budget race {i}", quality = "low", size = "1024x1024" }),
            };
            using var response = await client.SendAsync(request);
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }));

        var ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Equal("budget_exceeded", r.Body.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal("insufficient_quota", r.Body.GetProperty("error").GetProperty("type").GetString());
        });
        Assert.InRange(ok, 5, 5 + 1);
        Assert.Equal(served + ok, gateway.Simulator.Stats.Total.Snapshot().Served);

        var spend = (await gateway.KeyAsync(id)).GetProperty("spend");
        var spent = spend.GetProperty("today_usd").GetDecimal();
        Assert.True(spent <= Budget, $"spent {spent} of a {Budget} budget");
        Assert.True(spent >= ok * 0.0081m, $"spent {spent} for {ok} images");
        Assert.Equal(0m, spend.GetProperty("reserved_usd").GetDecimal());

        // The usage report agrees with the key's spend.
        using var usage = await client.GetFromJsonAsync<JsonDocument>("/v1/usage");
        Assert.Equal(spent, usage!.RootElement.GetProperty("totals").GetProperty("spend_usd").GetDecimal());
        Assert.Equal(ok, usage.RootElement.GetProperty("totals").GetProperty("images").GetInt32());
    }

    [Fact]
    public async Task Downgrade_walks_high_to_medium_to_low_then_refuses()
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "downgrade", daily_budget_usd = 0.08m, budget_policy = "downgrade" });
        using var client = gateway.Http(secret);

        var steps = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = $"downgrade {i}", quality = "high", size = "1024x1024" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var header = response.Headers.GetValues("x-imageorleans-downgraded").Single();
            Assert.Equal(header.Split("->")[1], body.GetProperty("quality").GetString());
            steps.Add(header);
        }

        // At 1024x1024 gpt-image-2.6-flare reserves $0.1357 for high (never fits $0.08), $0.0347 for medium
        // (charged $0.0317 by usage: fits twice) and $0.0092 for low (charged $0.0082: fits once more).
        // (Without a size, "auto" may come out landscape and the dearer landscape prices are reserved.)
        Assert.Equal(["high->medium", "high->medium", "high->low"], steps);
        using var refused = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "downgrade 3", quality = "high", size = "1024x1024" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("budget_exceeded", (await Error(refused)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_reject_budget_refuses_what_it_cannot_pay_without_calling_upstream()
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "reject", daily_budget_usd = 0.10m, budget_policy = "reject" });
        using var client = gateway.Http(secret);
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        using var high = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "too dear", quality = "high" });
        Assert.Equal(HttpStatusCode.TooManyRequests, high.StatusCode);
        Assert.False(high.Headers.Contains("x-imageorleans-downgraded"));
        Assert.Equal(served, gateway.Simulator.Stats.Total.Snapshot().Served);

        using var low = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "affordable", quality = "low" });
        Assert.Equal(HttpStatusCode.OK, low.StatusCode);
    }

    [Fact]
    public async Task A_cache_hit_costs_nothing_and_is_recorded_as_saved()
    {
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "saver" });
        using var client = gateway.Http(secret);
        var body = new { model = "gpt-image-2.6-flare", prompt = "saved by the cache", quality = "medium" };
        using var first = await client.PostAsJsonAsync("/v1/images/generations", body);
        var afterFirst = (await gateway.KeyAsync(id)).GetProperty("spend").GetProperty("today_usd").GetDecimal();
        using var second = await client.PostAsJsonAsync("/v1/images/generations", body);
        Assert.Equal("hit", second.Headers.GetValues("x-imageorleans-cache").Single());

        var spend = (await gateway.KeyAsync(id)).GetProperty("spend");
        Assert.True(afterFirst > 0.03m);
        Assert.Equal(afterFirst, spend.GetProperty("today_usd").GetDecimal());
        Assert.Equal(afterFirst, spend.GetProperty("saved_usd").GetDecimal());

        using var usage = await client.GetFromJsonAsync<JsonDocument>("/v1/usage");
        var row = Assert.Single(usage!.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(2, row.GetProperty("requests").GetInt32());
        Assert.Equal(1, row.GetProperty("cache_hits").GetInt32());
        Assert.Equal(afterFirst, row.GetProperty("saved_usd").GetDecimal());
    }

    [Fact]
    public async Task A_key_sees_only_its_own_usage_and_cache_unless_both_opt_into_sharing()
    {
        var (idA, secretA) = await gateway.CreateKeyAsync(new { name = "iso-a", tenant = "iso-a" });
        var (idB, secretB) = await gateway.CreateKeyAsync(new { name = "iso-b", tenant = "iso-b" });
        using var a = gateway.Http(secretA);
        using var b = gateway.Http(secretB);
        var body = new { prompt = "isolation: a red lantern", quality = "low" };

        using var fromA = await a.PostAsJsonAsync("/v1/images/generations", body);
        using var fromB = await b.PostAsJsonAsync("/v1/images/generations", body);
        Assert.Equal("miss", fromA.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal("miss", fromB.Headers.GetValues("x-imageorleans-cache").Single());

        foreach (var (client, own, other) in ((HttpClient, string, string)[])[(a, idA, idB), (b, idB, idA)])
        {
            var json = await client.GetStringAsync("/v1/usage?key_id=" + other);
            using var usage = JsonDocument.Parse(json);
            Assert.All(usage.RootElement.GetProperty("data").EnumerateArray(), r => Assert.Equal(own, r.GetProperty("key_id").GetString()));
            Assert.DoesNotContain(other, json, StringComparison.Ordinal);
            var csv = await client.GetStringAsync("/v1/usage?format=csv");
            Assert.DoesNotContain(other, csv, StringComparison.Ordinal);
        }

        using var admin = gateway.Admin();
        var all = await admin.GetStringAsync("/admin/usage");
        Assert.Contains(idA, all, StringComparison.Ordinal);
        Assert.Contains(idB, all, StringComparison.Ordinal);

        // Keys that both opt into the shared cache, across tenants, do share it.
        var (_, sharedA) = await gateway.CreateKeyAsync(new { name = "share-a", tenant = "share-a", cache = "shared" });
        var (_, sharedB) = await gateway.CreateKeyAsync(new { name = "share-b", tenant = "share-b", cache = "shared" });
        using var sa = gateway.Http(sharedA);
        using var sb = gateway.Http(sharedB);
        var common = new { prompt = "shared: a public-domain skyline", quality = "low" };
        using var one = await sa.PostAsJsonAsync("/v1/images/generations", common);
        using var two = await sb.PostAsJsonAsync("/v1/images/generations", common);
        Assert.Equal("miss", one.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal("hit", two.Headers.GetValues("x-imageorleans-cache").Single());

        // And a key with the cache off always generates.
        var (_, off) = await gateway.CreateKeyAsync(new { name = "no-cache", cache = "off" });
        using var o = gateway.Http(off);
        using var o1 = await o.PostAsJsonAsync("/v1/images/generations", common);
        using var o2 = await o.PostAsJsonAsync("/v1/images/generations", common);
        Assert.Equal("bypass", o2.Headers.GetValues("x-imageorleans-cache").Single());
    }

    [Fact]
    public async Task Usage_reports_come_as_csv_and_refuse_bad_dates_by_name()
    {
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "csv" });
        using var client = gateway.Http(secret);
        using (var generated = await client.PostAsJsonAsync("/v1/images/generations", new { prompt = "csv row", quality = "low" }))
        {
            Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/usage");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await client.SendAsync(request);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Trim().Split('\n');
        Assert.Equal("day,key_id,model,quality,requests,images,spend_usd,saved_usd,cache_hits,failed,generated", lines[0]);
        var row = Assert.Single(lines[1..]).Split(',');
        Assert.Equal(id, row[1]);
        Assert.Equal("low", row[3]);
        Assert.Equal("1", row[5]);
        Assert.Equal("1", row[10]);

        foreach (var (query, param) in ((string, string)[])
                 [("start_date=yesterday", "start_date"), ("end_date=2026-13-01", "end_date"), ("start_date=2026-02-01&end_date=2026-01-01", "end_date"), ("format=xml", "format")])
        {
            using var bad = await client.GetAsync("/v1/usage?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(param, (await Error(bad)).GetProperty("param").GetString());
        }
    }

    [Fact]
    public async Task Key_settings_change_through_patch_and_bad_fields_are_named()
    {
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "patchable", requests_per_minute = 100 });
        using var admin = gateway.Admin();
        using var patched = await admin.PatchAsJsonAsync($"/admin/keys/{id}", new { requests_per_minute = 7, priority = "low", daily_budget_usd = 2.5m });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var view = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(7, view.GetProperty("requests_per_minute").GetInt32());
        Assert.Equal("low", view.GetProperty("priority").GetString());
        Assert.Equal("patchable", view.GetProperty("name").GetString());

        using var client = gateway.Http(secret);
        using var models = await client.GetAsync("/v1/models");
        Assert.Equal("7", models.Headers.GetValues("x-ratelimit-limit-requests").Single());

        using var cleared = await admin.PatchAsJsonAsync($"/admin/keys/{id}", new { daily_budget_usd = (decimal?)null });
        Assert.Equal(JsonValueKind.Null, (await cleared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("daily_budget_usd").ValueKind);

        foreach (var (json, param) in ((string, string)[])
                 [("{\"priority\":\"urgent\"}", "priority"), ("{\"requests_per_minute\":-1}", "requests_per_minute"), ("{\"daily_budget_usd\":\"ten\"}", "daily_budget_usd"),
                  ("{\"cache\":\"sometimes\"}", "cache"), ("{\"webhook_url\":\"ftp://example\"}", "webhook_url"), ("{\"rpm\":5}", "rpm")])
        {
            using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            using var bad = await admin.PatchAsync($"/admin/keys/{id}", content);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(param, (await Error(bad)).GetProperty("param").GetString());
        }

        using var missing = await admin.PatchAsJsonAsync("/admin/keys/no-such-key", new { name = "x" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var badId = await admin.PostAsJsonAsync("/admin/keys", new { id = "has/slash" });
        Assert.Equal("id", (await Error(badId)).GetProperty("param").GetString());
    }

    private async Task<HttpStatusCode> StatusWith(string key)
    {
        using var client = gateway.Http(key);
        using var response = await client.GetAsync("/v1/models");
        return response.StatusCode;
    }

    private static async Task<JsonElement> Error(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
}
