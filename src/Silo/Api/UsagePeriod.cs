using System.Globalization;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// The days a usage report covers, read the same way by <c>GET /v1/usage</c> and the gRPC <c>GetUsage</c>:
/// <c>start_date</c> and <c>end_date</c> as yyyy-MM-dd in the billing time zone, the current month by default,
/// at most <see cref="MaxDays"/> days.
/// </summary>
public readonly record struct UsagePeriod(DateOnly Start, DateOnly End)
{
    public const int MaxDays = 366;

    public string StartText => Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string EndText => End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Today in the billing time zone.</summary>
    public static DateOnly Today(TimeProvider time, BillingOptions billing) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), billing.Zone()).DateTime);

    public static bool TryParse(string? startText, string? endText, DateOnly today, out UsagePeriod period, out GatewayError? error)
    {
        period = default;
        if (!TryDate(startText, new DateOnly(today.Year, today.Month, 1), "start_date", out var start, out error)
            || !TryDate(endText, today, "end_date", out var end, out error))
        {
            return false;
        }

        if (end < start)
        {
            error = GatewayErrors.Invalid("end_date", "'end_date' is before 'start_date'.");
            return false;
        }

        if (end.DayNumber - start.DayNumber >= MaxDays)
        {
            error = GatewayErrors.Invalid("start_date", $"A report covers at most {MaxDays} days.");
            return false;
        }

        period = new UsagePeriod(start, end);
        return true;
    }

    private static bool TryDate(string? text, DateOnly fallback, string param, out DateOnly date, out GatewayError? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            date = fallback;
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return true;
        }

        error = GatewayErrors.Invalid(param, $"Invalid '{param}': give a date as yyyy-MM-dd.");
        return false;
    }
}
