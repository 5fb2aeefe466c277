namespace ImageOrleans.Grains.Billing;

/// <summary>Prices, budgets and their calendar (section <c>ImageOrleans:Billing</c>).</summary>
public sealed class BillingOptions
{
    /// <summary>IANA time zone in which budget days and months begin, e.g. "Europe/Paris".</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Per-model prices replacing the built-in defaults (which follow OpenAI's published prices).</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a rotated-out client key keeps working unless the rotation says otherwise.</summary>
    public TimeSpan RotationGrace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Default requests per minute of a key created without one (0 = no limit).</summary>
    public int DefaultRequestsPerMinute { get; set; } = 600;

    /// <summary>Default images per minute of a key created without one (0 = no limit).</summary>
    public int DefaultImagesPerMinute { get; set; } = 600;

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
