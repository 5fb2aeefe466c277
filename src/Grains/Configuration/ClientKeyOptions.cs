using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Configuration;

/// <summary>A client key in configuration (<c>ImageOrleans:ClientKeys:{id}</c>); the admin API manages the rest.</summary>
public sealed class ClientKeyOptions
{
    /// <summary>The key itself. Hashed on load and never kept in clear; prefer <see cref="KeyHash"/> in files.</summary>
    public string? Key { get; set; }

    /// <summary>SHA-256 of the key as lowercase hex, for configuration that must not hold the key.</summary>
    public string? KeyHash { get; set; }

    public string? Name { get; set; }

    /// <summary>Cache scope: keys of one tenant share cached images, tenants never do. Defaults to the key id.</summary>
    public string? Tenant { get; set; }

    /// <summary>Priority class of this key's requests (its tier).</summary>
    public RequestPriority Priority { get; set; } = RequestPriority.Normal;

    /// <summary>Highest priority the key may ask for with the priority header; defaults to its own tier.</summary>
    public RequestPriority? MaxPriority { get; set; }

    /// <summary>Share of capacity against other keys of the same priority when the pool is full.</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>Longest this key's requests wait for pool capacity; the gateway's limit when unset.</summary>
    public TimeSpan? MaxWait { get; set; }

    /// <summary>Requests per minute (0 = no limit); Billing:DefaultRequestsPerMinute when unset.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Images per minute (0 = no limit); Billing:DefaultImagesPerMinute when unset.</summary>
    public int? ImagesPerMinute { get; set; }

    /// <summary>Requests in progress at once (0 = no limit).</summary>
    public int MaxConcurrency { get; set; }

    public List<string> AllowedModels { get; set; } = [];

    public ClientKeys.CachePolicy Cache { get; set; } = ClientKeys.CachePolicy.On;

    public decimal? DailyBudgetUsd { get; set; }

    public decimal? MonthlyBudgetUsd { get; set; }

    public ClientKeys.BudgetPolicy BudgetPolicy { get; set; } = ClientKeys.BudgetPolicy.Reject;

    public ClientKeys.BatchBudgetPolicy BatchBudgetPolicy { get; set; } = ClientKeys.BatchBudgetPolicy.Fail;

    public List<int>? AlertThresholds { get; set; }

    public string? WebhookUrl { get; set; }

    /// <summary>Secret: signs webhook bodies.</summary>
    public string? WebhookSecret { get; set; }

    public ClientKeys.ClientKeySettings ToSettings(string id, Billing.BillingOptions billing) => new()
    {
        Name = Name ?? id,
        Tenant = Tenant,
        AllowedModels = [.. AllowedModels],
        RequestsPerMinute = RequestsPerMinute ?? billing.DefaultRequestsPerMinute,
        ImagesPerMinute = ImagesPerMinute ?? billing.DefaultImagesPerMinute,
        MaxConcurrency = MaxConcurrency,
        Priority = Priority,
        MaxPriority = MaxPriority,
        Weight = Weight,
        MaxWait = MaxWait,
        Cache = Cache,
        DailyBudgetUsd = DailyBudgetUsd,
        MonthlyBudgetUsd = MonthlyBudgetUsd,
        BudgetPolicy = BudgetPolicy,
        BatchBudgetPolicy = BatchBudgetPolicy,
        AlertThresholds = AlertThresholds is { Count: > 0 } thresholds ? [.. thresholds] : [50, 80, 100],
        WebhookUrl = WebhookUrl,
        WebhookSecret = new Pool.UpstreamSecret(WebhookSecret ?? string.Empty),
    };
}
