using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.ClientKeys;

/// <summary>Everything an operator sets on a client key.</summary>
[GenerateSerializer, Immutable, Alias("io.ClientKeySettings")]
public sealed record ClientKeySettings
{
    [Id(0)] public string Name { get; init; } = string.Empty;

    /// <summary>Cache scope; keys of one tenant share cached images. Defaults to the key id.</summary>
    [Id(1)] public string? Tenant { get; init; }

    /// <summary>Models the key may use; empty means every model the pool serves.</summary>
    [Id(2)] public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>Requests per minute; 0 means no limit.</summary>
    [Id(3)] public int RequestsPerMinute { get; init; }

    /// <summary>Images per minute; 0 means no limit.</summary>
    [Id(4)] public int ImagesPerMinute { get; init; }

    /// <summary>Requests in progress at once; 0 means no limit.</summary>
    [Id(5)] public int MaxConcurrency { get; init; }

    [Id(6)] public RequestPriority Priority { get; init; } = RequestPriority.Normal;
    [Id(7)] public RequestPriority? MaxPriority { get; init; }
    [Id(8)] public double Weight { get; init; } = 1.0;
    [Id(9)] public TimeSpan? MaxWait { get; init; }
    [Id(10)] public CachePolicy Cache { get; init; } = CachePolicy.On;

    /// <summary>USD a day (in the billing time zone); null means no daily budget.</summary>
    [Id(11)] public decimal? DailyBudgetUsd { get; init; }

    [Id(12)] public decimal? MonthlyBudgetUsd { get; init; }
    [Id(13)] public BudgetPolicy BudgetPolicy { get; init; } = BudgetPolicy.Reject;

    /// <summary>Percentages of a budget at which an alert is raised once per period.</summary>
    [Id(14)] public IReadOnlyList<int> AlertThresholds { get; init; } = [50, 80, 100];

    /// <summary>Where budget alerts are POSTed; null for none.</summary>
    [Id(15)] public string? WebhookUrl { get; init; }

    /// <summary>
    /// Signs webhook bodies (HMAC-SHA256). Write-only, like upstream keys, and like them only ciphertext
    /// in grain state and between silos; opened by <see cref="Secrets.SecretCipher"/> only to sign.
    /// </summary>
    [Id(16)] public UpstreamSecret WebhookSecret { get; init; } = UpstreamSecret.Empty;

    [Id(17)] public BatchBudgetPolicy BatchBudgetPolicy { get; init; } = BatchBudgetPolicy.Fail;

    public RequestPriority EffectiveMaxPriority => MaxPriority is { } max && max < Priority ? max : Priority;
}
