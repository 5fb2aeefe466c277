using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Silo.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The Orleans dashboard: every route it maps behind the admin key, its log stream off unless configured.</summary>
public sealed class DashboardSecurityTests(HardenedGatewayFixture gateway) : IClassFixture<HardenedGatewayFixture>
{
    /// <summary>Routes that answer 200 with the key, whatever the cluster holds.</summary>
    private static readonly string[] Readable =
    [
        "/dashboard/", "/dashboard/index.html", "/dashboard/index.min.js", "/dashboard/index.css", "/dashboard/favicon.ico",
        "/dashboard/version", "/dashboard/DashboardCounters", "/dashboard/ClusterStats", "/dashboard/TopGrainMethods",
        "/dashboard/GrainTypes", "/dashboard/LifecycleStages", "/dashboard/Reminders", "/dashboard/Reminders/1",
    ];

    [Fact]
    public async Task Every_dashboard_route_answers_401_without_the_admin_key()
    {
        var paths = DashboardPaths();

        // The dashboard's own routes, as it maps them: pages, assets, data and the log stream.
        Assert.DoesNotContain(paths, p => p.Contains('{', StringComparison.Ordinal));
        Assert.True(paths.Count >= 15, $"only {paths.Count} dashboard routes found: {string.Join(", ", paths)}");
        Assert.Contains("/dashboard/Trace", paths);
        Assert.Contains("/dashboard/GrainState", paths);
        Assert.Contains("/dashboard/DashboardCounters", paths);

        using var anonymous = gateway.Http(key: null);
        using var clientKey = gateway.Http(GatewayFactory.KeyA);
        using var wrongBasic = gateway.Http(key: null);
        wrongBasic.DefaultRequestHeaders.Authorization = Basic("admin", "not-the-admin-key-0123456789");
        foreach (var path in paths.Append("/dashboard"))
        {
            foreach (var (who, client) in new[] { ("no key", anonymous), ("a client key", clientKey), ("a wrong Basic password", wrongBasic) })
            {
                using var response = await client.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path} with {who}: {(int)response.StatusCode}");
                Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
                Assert.Contains("realm=\"ImageOrleans dashboard\"", response.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);
                var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
                Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
                Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            }
        }
    }

    [Fact]
    public async Task The_admin_key_opens_the_dashboard_as_a_bearer_token_or_a_basic_password()
    {
        using var bearer = gateway.Admin();
        using var basic = gateway.Http(key: null);
        basic.DefaultRequestHeaders.Authorization = Basic("operator", AdminGatewayFixture.AdminKey);

        foreach (var client in new[] { bearer, basic })
        {
            foreach (var path in Readable)
            {
                using var response = await client.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            }

            // Silo-specific data, for the silo the dashboard itself reports.
            var silo = await ReportedSiloAsync(client);
            foreach (var path in new[] { "SiloStats", "SiloCounters", "HistoricalStats", "SiloProperties" })
            {
                using var response = await client.GetAsync($"/dashboard/{path}/{silo}");
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            }
        }
    }

    /// <summary>The dashboard collects its first figures a moment after start: wait, bounded, until it lists a silo.</summary>
    private static async Task<string> ReportedSiloAsync(HttpClient client)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var counters = JsonDocument.Parse(await client.GetStringAsync("/dashboard/DashboardCounters"));
            if (counters.RootElement.GetProperty("hosts") is { ValueKind: JsonValueKind.Array } hosts && hosts.GetArrayLength() > 0)
            {
                return hosts[0].GetProperty("siloAddress").GetString()!;
            }

            Assert.False(limit.IsCancellationRequested, "the dashboard never listed a silo in /dashboard/DashboardCounters");
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_log_stream_is_off_by_default_even_with_the_admin_key()
    {
        using var admin = gateway.Admin();

        using var trace = await admin.GetAsync("/dashboard/Trace", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
    }

    [Theory]
    [InlineData(ClusterMode.Localhost, null, true)]
    [InlineData(ClusterMode.Redis, null, false)]
    [InlineData(ClusterMode.Redis, true, true)]
    [InlineData(ClusterMode.Localhost, false, false)]
    public void The_production_profile_serves_no_dashboard_unless_enabled(ClusterMode mode, bool? configured, bool served) =>
        Assert.Equal(served, new FrontDoorOptions { Dashboard = configured }.DashboardEnabled(mode));

    /// <summary>Every GET route the dashboard mapped, with its parameters filled in.</summary>
    private List<string> DashboardPaths() =>
        [.. gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? string.Empty)
            .Where(p => p.StartsWith("/dashboard", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Replace("{page:int}", "1", StringComparison.Ordinal)
                .Replace("{**path}", "x.woff2", StringComparison.Ordinal)
                .Replace("{*path}", "silo", StringComparison.Ordinal)
                .Replace("{*address}", "silo", StringComparison.Ordinal)
                .Replace("{*grainName}", "grain", StringComparison.Ordinal))
            .Distinct()];

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
