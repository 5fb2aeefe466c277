using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The alert rules and the Grafana dashboard in deploy/monitoring name only metrics the gateway exports.</summary>
[Collection(ExportedMetricsTests.Name)]
public sealed partial class MonitoringTests(OperationsGatewayFixture gateway) : IClassFixture<OperationsGatewayFixture>
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "deploy", "monitoring");

    [Fact]
    public async Task Every_metric_in_the_alert_rules_and_the_dashboard_is_exported()
    {
        var exported = await ExportedNamesAsync();
        var rules = await File.ReadAllTextAsync(Path.Combine(Folder, "imageorleans-alerts.yaml"));
        var alerts = AlertLine().Matches(rules).Select(m => m.Groups[1].Value).ToList();
        string[] required = ["ImageOrleansPoolSaturated", "ImageOrleansAccountBreakerOpen", "ImageOrleansUpstream429Rate", "ImageOrleansBudgetExhausted"];
        Assert.Equal([], required.Except(alerts).ToArray());
        var ruleExpressions = ExprLine().Matches(rules).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(alerts.Count, ruleExpressions.Count);

        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "imageorleans-dashboard.json")));
        var panelExpressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        Assert.True(panelExpressions.Count >= 15, "the dashboard has its panels");

        var referenced = ruleExpressions.Concat(panelExpressions).SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("imageorleans_account_breaker_open", referenced);
        Assert.Contains("imageorleans_budget_alerts_total", referenced);
        Assert.Equal([], referenced.Except(exported).Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// What the scrape holds after a generation, plus the Prometheus names of every instrument of the
    /// gateway's meter (some, like budget alerts, appear only once something happens). The name rule
    /// is checked against the scrape for every instrument that has already reported.
    /// </summary>
    private async Task<IReadOnlySet<string>> ExportedNamesAsync()
    {
        using (var client = gateway.Http(GatewayFactory.KeyA))
        using (var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt = "monitoring", quality = "low" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var scrape = await Poll.UntilAsync(gateway.ScrapeAsync,
            s => s.Contains("imageorleans_account_breaker_open{", StringComparison.Ordinal) && s.Contains("orleans_app_requests_latency", StringComparison.Ordinal),
            "the scrape to hold the account gauges and Orleans' meter");
        var scraped = OperationsGatewayFixture.SeriesNames(scrape);

        var declared = new HashSet<string>(StringComparer.Ordinal);
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == Grains.Billing.ImageOrleansMetrics.MeterName)
                {
                    declared.UnionWith(PrometheusNames(instrument));
                }
            };
            listener.Start();
        }

        Assert.Equal([], scraped.Where(n => n.StartsWith("imageorleans_", StringComparison.Ordinal) && !declared.Contains(n)).ToArray());
        return scraped.Union(declared).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> PrometheusNames(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_') + instrument.Unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "USD" => "_USD",
            _ => "",
        };
        var type = instrument.GetType().GetGenericTypeDefinition();
        return type == typeof(Counter<>) || type == typeof(ObservableCounter<>) ? [name + "_total"]
            : type == typeof(Histogram<>) ? [name + "_bucket", name + "_sum", name + "_count"]
            : [name];
    }

    [GeneratedRegex(@"^\s*- alert: (\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertLine();

    [GeneratedRegex(@"^\s*expr: (.+)$", RegexOptions.Multiline)]
    private static partial Regex ExprLine();

    [GeneratedRegex(@"\b(?:imageorleans|orleans|http)_[a-zA-Z0-9_]+\b")]
    private static partial Regex MetricName();
}
