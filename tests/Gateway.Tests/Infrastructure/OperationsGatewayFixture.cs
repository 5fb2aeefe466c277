namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A gateway with the admin key set, the request log line on and the account gauges sampled often.</summary>
public class OperationsGatewayFixture : AdminGatewayFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("ImageOrleans:Telemetry:SampleInterval", "00:00:00.2"),
        new("Logging:LogLevel:ImageOrleans.Requests", "Information"),
    ];

    /// <summary>The Prometheus text of <c>/metrics</c>, read with the admin key.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var admin = Admin();
        using var response = await admin.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The names of the series in a scrape (a histogram gives its _bucket, _sum and _count).</summary>
    public static IReadOnlySet<string> SeriesNames(string scrape) =>
        scrape.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny([' ', '{'])])
            .ToHashSet(StringComparer.Ordinal);
}
