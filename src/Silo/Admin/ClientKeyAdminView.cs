using ImageOrleans.Grains.ClientKeys;

namespace ImageOrleans.Silo.Admin;

/// <summary>A client key as the admin API shows it: settings, masked key and spend; the secret only once, on creation or rotation.</summary>
public sealed record ClientKeyAdminView(
    [property: System.Text.Json.Serialization.JsonPropertyName("object")] string Kind,
    string Id,
    string Name,
    string Tenant,
    string? KeyHint,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Key,
    bool Revoked,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? PreviousKeyValidUntil,
    IReadOnlyList<string> AllowedModels,
    int RequestsPerMinute,
    int ImagesPerMinute,
    int MaxConcurrency,
    string Priority,
    string MaxPriority,
    double Weight,
    long? MaxWaitMs,
    string Cache,
    decimal? DailyBudgetUsd,
    decimal? MonthlyBudgetUsd,
    string BudgetPolicy,
    string BatchBudgetPolicy,
    IReadOnlyList<int> AlertThresholds,
    string? WebhookUrl,
    string? WebhookSecret,
    ClientKeySpendView Spend)
{
    public static ClientKeyAdminView Of(ClientKeyView key, string? secret = null)
    {
        var s = key.Settings;
        return new ClientKeyAdminView(
            "client_key",
            key.Id,
            s.Name,
            key.Tenant,
            ClientKeySecret.Shown(key.Hint),
            secret,
            key.Revoked,
            key.CreatedAt,
            key.RevokedAt,
            key.PreviousKeyValidUntil,
            s.AllowedModels,
            s.RequestsPerMinute,
            s.ImagesPerMinute,
            s.MaxConcurrency,
            s.Priority.ToString().ToLowerInvariant(),
            s.EffectiveMaxPriority.ToString().ToLowerInvariant(),
            s.Weight,
            s.MaxWait is { } wait ? (long)wait.TotalMilliseconds : null,
            s.Cache.ToString().ToLowerInvariant(),
            s.DailyBudgetUsd,
            s.MonthlyBudgetUsd,
            s.BudgetPolicy.ToString().ToLowerInvariant(),
            s.BatchBudgetPolicy.ToString().ToLowerInvariant(),
            s.AlertThresholds,
            s.WebhookUrl,
            s.WebhookSecret.IsEmpty ? null : s.WebhookSecret.Masked,
            new ClientKeySpendView(key.DaySpentUsd, key.MonthSpentUsd, key.ReservedUsd, key.SavedUsd, key.InFlight));
    }
}

/// <summary>Spend of the current day and month (billing time zone), what is reserved by requests in progress, and what the cache saved.</summary>
public sealed record ClientKeySpendView(decimal TodayUsd, decimal MonthUsd, decimal ReservedUsd, decimal SavedUsd, int InFlight);
