using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Gateway.Tests;

/// <summary>What an operator sees of the gateway: the Prometheus scrape, the summary, the request log line.</summary>
[Collection(ExportedMetricsTests.Name)]
public sealed class MetricsTests(OperationsGatewayFixture gateway) : IClassFixture<OperationsGatewayFixture>
{
    private const string SecretPrompt = "a lighthouse painted by nobody in particular 7c1e";

    [Fact]
    public async Task The_scrape_needs_the_admin_key()
    {
        using var anonymous = gateway.Http(key: null);
        using var none = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);

        using var client = gateway.Http(GatewayFactory.KeyA);
        using var clientKey = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, clientKey.StatusCode);
        Assert.DoesNotContain("imageorleans_", await clientKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generation_shows_in_the_named_series_with_bounded_labels()
    {
        await GenerateAsync(SecretPrompt);

        string[] expected =
        [
            "imageorleans_requests_total", "imageorleans_request_duration_seconds_bucket", "imageorleans_images_generated_total",
            "imageorleans_cache_requests_total", "imageorleans_queue_wait_seconds_bucket", "imageorleans_queue_depth",
            "imageorleans_upstream_attempts_total", "imageorleans_upstream_duration_seconds_bucket", "imageorleans_spend_USD_total",
            "imageorleans_account_request_tokens", "imageorleans_account_image_tokens", "imageorleans_account_in_flight",
            "imageorleans_account_learned_rate_factor", "imageorleans_account_breaker_open", "imageorleans_account_draining",
            "orleans_grains", "http_server_request_duration_seconds_bucket",
        ];

        // The exporter caches a scrape for a moment, and the account gauges are sampled: poll.
        // Meters are process-wide: the scrape also holds what other gateways of this test run counted, so
        // wait for this request's own series (the exporter caches a scrape for a moment).
        static bool Served(string line) => line.StartsWith("imageorleans_requests_total{", StringComparison.Ordinal)
            && line.Contains("status=\"200\"", StringComparison.Ordinal) && line.Contains("model=\"gpt-image-2.6-flare\"", StringComparison.Ordinal)
            && line.Contains("priority=\"normal\"", StringComparison.Ordinal) && line.Contains("code=\"none\"", StringComparison.Ordinal);
        var scrape = await Poll.UntilAsync(gateway.ScrapeAsync,
            s => !expected.Except(OperationsGatewayFixture.SeriesNames(s)).Any() && s.Split('\n').Any(Served),
            "the scrape to hold every named series and this request's own");
        Assert.Contains(scrape.Split('\n'), l => l.StartsWith("imageorleans_cache_requests_total{", StringComparison.Ordinal) && l.Contains("outcome=\"miss\"", StringComparison.Ordinal));
        Assert.Contains(scrape.Split('\n'), l => l.StartsWith("imageorleans_upstream_attempts_total{", StringComparison.Ordinal)
            && l.Contains("account=\"sim-", StringComparison.Ordinal) && l.Contains("outcome=\"Success\"", StringComparison.Ordinal));
        foreach (var account in new[] { "sim-1", "sim-2", "sim-3", "sim-4" })
        {
            Assert.Contains(scrape.Split('\n'), l => l.StartsWith("imageorleans_account_request_tokens{", StringComparison.Ordinal) && l.Contains($"account=\"{account}\"", StringComparison.Ordinal));
        }

        // No prompt and no request id ever becomes a label.
        Assert.DoesNotContain("lighthouse", scrape, StringComparison.Ordinal);
        Assert.DoesNotContain("req_", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_is_counted_by_its_code()
    {
        using var client = gateway.Http(GatewayFactory.KeyA);
        using var refused = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "x", size = "3x3" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var code = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString();

        var scrape = await Poll.UntilAsync(gateway.ScrapeAsync,
            s => s.Contains($"code=\"{code}\"", StringComparison.Ordinal), $"a request counted with code {code}");
        Assert.Contains(scrape.Split('\n'), l => l.StartsWith("imageorleans_requests_total{", StringComparison.Ordinal)
            && l.Contains($"code=\"{code}\"", StringComparison.Ordinal) && l.Contains("status=\"400\"", StringComparison.Ordinal));

        using var admin = gateway.Admin();
        var summary = await admin.GetFromJsonAsync<JsonElement>("/admin/summary");
        Assert.True(summary.GetProperty("errors").GetProperty(code!).GetInt64() >= 1);
        Assert.Equal(0, summary.GetProperty("queue").GetProperty("high").GetInt32());
    }

    [Fact]
    public async Task The_summary_needs_the_admin_key()
    {
        using var client = gateway.Http(GatewayFactory.KeyA);
        using var refused = await client.GetAsync("/admin/summary");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Each_request_is_one_structured_line_without_prompt_or_key()
    {
        var id = await GenerateAsync(SecretPrompt + " logged");

        var line = (await Poll.UntilAsync(
            () => Task.FromResult(gateway.Logs.Text.Split('\n').FirstOrDefault(l => l.StartsWith("Information ImageOrleans.Requests:", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal))),
            l => l is not null, "the request's log line"))!;
        Assert.Contains("| KeyId=tenant-a", line, StringComparison.Ordinal);
        Assert.Contains("| Model=gpt-image-2.6-flare", line, StringComparison.Ordinal);
        Assert.Contains("| Status=200", line, StringComparison.Ordinal);
        Assert.Contains("| Cache=miss", line, StringComparison.Ordinal);
        Assert.Contains("| AccountId=sim-", line, StringComparison.Ordinal);
        Assert.Matches(@"\| CostUsd=0\.0\d+", line);
        Assert.Contains("| QueueWaitMs=", line, StringComparison.Ordinal);
        Assert.Contains("| UpstreamMs=", line, StringComparison.Ordinal);
        Assert.DoesNotContain("lighthouse", gateway.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFactory.KeyA, gateway.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Orleans_option_dumps_and_placement_retries_are_quiet_by_default()
    {
        var loggers = gateway.Services.GetRequiredService<ILoggerFactory>();
        Assert.False(loggers.CreateLogger("Orleans.Runtime.SiloOptionsLogger").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Orleans.Runtime.SiloOptionsLogger").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Orleans.Runtime.Silo").IsEnabled(LogLevel.Information));
    }

    private async Task<string> GenerateAsync(string prompt)
    {
        using var client = gateway.Http(GatewayFactory.KeyA);
        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt, quality = "low" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("x-request-id").Single();
    }
}
