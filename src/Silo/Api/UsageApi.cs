using System.Globalization;
using System.Text;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Usage;
using ImageOrleans.Silo.Admin;
using ImageOrleans.Silo.Auth;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// Usage reports: <c>GET /v1/usage</c> (the calling key's own rows) and <c>GET /admin/usage</c>
/// (every key, or one with <c>key_id</c>). Rows are day × key × model × quality with requests,
/// images, spend, spend saved by the cache, cache hits and failures. <c>start_date</c> and
/// <c>end_date</c> (yyyy-MM-dd, billing time zone) default to the current month; <c>format=csv</c>
/// or <c>Accept: text/csv</c> gives CSV.
/// </summary>
public static class UsageApi
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/usage", (HttpContext http, IGrainFactory grains, TimeProvider time, IOptions<BillingOptions> billing) =>
                ReportAsync(http, grains, [http.GetClient().KeyId], time, billing.Value))
            .AddEndpointFilter<ClientAuthenticationFilter>()
            .WithTags("Usage")
            .WithName("GetUsage")
            .WithSummary("The calling key's usage and spend by day, model and quality (JSON or CSV).");

        routes.MapGet("/admin/usage", async (HttpContext http, string? key_id, IGrainFactory grains, TimeProvider time, IOptions<BillingOptions> billing) =>
            {
                IReadOnlyList<string> keys = key_id is { Length: > 0 } one
                    ? [one]
                    : await grains.GetGrain<IClientKeyRegistryGrain>(0).GetKeyIdsAsync();
                return await ReportAsync(http, grains, keys, time, billing.Value);
            })
            .AddEndpointFilter<AdminAuthenticationFilter>()
            .WithTags("Admin: usage")
            .WithName("AdminGetUsage")
            .WithSummary("Usage and spend of every client key (or key_id) by day, model and quality (JSON or CSV).");
        return routes;
    }

    private static async Task<IResult> ReportAsync(HttpContext http, IGrainFactory grains, IReadOnlyList<string> keyIds, TimeProvider time, BillingOptions billing)
    {
        var query = http.Request.Query;
        if (!UsagePeriod.TryParse(query["start_date"], query["end_date"], UsagePeriod.Today(time, billing), out var period, out var error))
        {
            return OpenAIErrors.Result(error!);
        }

        var format = query["format"].ToString().ToLowerInvariant();
        if (format is not ("" or "json" or "csv"))
        {
            return OpenAIErrors.Result(GatewayErrors.Invalid("format", "Invalid value for 'format': use 'json' or 'csv'."));
        }

        var csv = format == "csv" || (format.Length == 0 && http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase));
        var rows = await ReadAsync(grains, keyIds, period.Start, period.End);
        return csv ? Results.Text(Csv(rows), "text/csv; charset=utf-8") : Results.Json(Json(rows, period), AdminJson.Options);
    }

    /// <summary>Flushes what the keys have buffered (a few seconds' worth), then reads their ledgers month by month.</summary>
    public static async Task<IReadOnlyList<UsageRow>> ReadAsync(IGrainFactory grains, IReadOnlyList<string> keyIds, DateOnly start, DateOnly end)
    {
        await Task.WhenAll(keyIds.Select(id => grains.GetGrain<IClientKeyGrain>(id).FlushUsageAsync().AsTask()));
        var months = new List<string>();
        for (var month = new DateOnly(start.Year, start.Month, 1); month <= end; month = month.AddMonths(1))
        {
            months.Add(month.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        }

        var from = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var ledgers = await Task.WhenAll(keyIds.SelectMany(id => months.Select(m => grains.GetGrain<IUsageLedgerGrain>($"{id}/{m}").GetAsync().AsTask())));
        return
        [
            .. ledgers.SelectMany(rows => rows)
                .Where(r => string.CompareOrdinal(r.Day, from) >= 0 && string.CompareOrdinal(r.Day, to) <= 0)
                .OrderBy(r => r.Day, StringComparer.Ordinal)
                .ThenBy(r => r.KeyId, StringComparer.Ordinal)
                .ThenBy(r => r.Model, StringComparer.Ordinal)
                .ThenBy(r => r.Quality, StringComparer.Ordinal),
        ];
    }

    private static object Json(IReadOnlyList<UsageRow> rows, UsagePeriod period) => new
    {
        @object = "usage",
        start_date = period.StartText,
        end_date = period.EndText,
        data = rows.Select(r => new
        {
            day = r.Day,
            key_id = r.KeyId,
            model = r.Model,
            quality = r.Quality,
            requests = r.Requests,
            images = r.Images,
            spend_usd = r.SpendUsd,
            saved_usd = r.SavedUsd,
            cache_hits = r.CacheHits,
            failed = r.Failed,
            generated = r.Generated,
        }),
        totals = new
        {
            requests = rows.Sum(r => r.Requests),
            images = rows.Sum(r => r.Images),
            spend_usd = rows.Sum(r => r.SpendUsd),
            saved_usd = rows.Sum(r => r.SavedUsd),
            cache_hits = rows.Sum(r => r.CacheHits),
            failed = rows.Sum(r => r.Failed),
            generated = rows.Sum(r => r.Generated),
        },
    };

    private static string Csv(IReadOnlyList<UsageRow> rows)
    {
        var text = new StringBuilder("day,key_id,model,quality,requests,images,spend_usd,saved_usd,cache_hits,failed,generated\n");
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{CsvCell.Of(r.Day)},{CsvCell.Of(r.KeyId)},{CsvCell.Of(r.Model)},{CsvCell.Of(r.Quality)},{r.Requests},{r.Images},{r.SpendUsd},{r.SavedUsd},{r.CacheHits},{r.Failed},{r.Generated}\n");
        }

        return text.ToString();
    }
}
