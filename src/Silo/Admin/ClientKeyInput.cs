using System.Text.RegularExpressions;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Silo.Admin;

/// <summary>The client-key fields of the admin API, applied onto a key's settings (absent fields stay as they are).</summary>
public static partial class ClientKeyInput
{
    public static readonly IReadOnlyDictionary<string, RequestPriority> Priorities = new Dictionary<string, RequestPriority>
    {
        ["high"] = RequestPriority.High,
        ["normal"] = RequestPriority.Normal,
        ["low"] = RequestPriority.Low,
    };

    public static readonly IReadOnlyDictionary<string, CachePolicy> CachePolicies = new Dictionary<string, CachePolicy>
    {
        ["on"] = CachePolicy.On,
        ["off"] = CachePolicy.Off,
        ["shared"] = CachePolicy.Shared,
    };

    public static readonly IReadOnlyDictionary<string, BudgetPolicy> BudgetPolicies = new Dictionary<string, BudgetPolicy>
    {
        ["reject"] = BudgetPolicy.Reject,
        ["downgrade"] = BudgetPolicy.Downgrade,
    };

    public static readonly IReadOnlyDictionary<string, BatchBudgetPolicy> BatchBudgetPolicies = new Dictionary<string, BatchBudgetPolicy>
    {
        ["fail"] = BatchBudgetPolicy.Fail,
        ["pause"] = BatchBudgetPolicy.Pause,
    };

    /// <summary>Key ids are path segments and grain-key parts: letters, digits, '-', '_' and '.'.</summary>
    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    public static ClientKeySettings Apply(JsonFields f, ClientKeySettings s, EgressPolicy egress)
    {
        s = s with
        {
            Name = f.Text("name", 200) ?? s.Name,
            Tenant = f.IsNull("tenant") ? null : f.Text("tenant", 200) ?? s.Tenant,
            AllowedModels = f.Strings("allowed_models") ?? s.AllowedModels,
            RequestsPerMinute = f.WholeNumber("requests_per_minute", 0) ?? s.RequestsPerMinute,
            ImagesPerMinute = f.WholeNumber("images_per_minute", 0) ?? s.ImagesPerMinute,
            MaxConcurrency = f.WholeNumber("max_concurrency", 0) ?? s.MaxConcurrency,
            Priority = f.Choice("priority", Priorities) ?? s.Priority,
            MaxPriority = f.IsNull("max_priority") ? null : f.Choice("max_priority", Priorities) ?? s.MaxPriority,
            Weight = f.Real("weight", 0, 1000) ?? s.Weight,
            MaxWait = f.IsNull("max_wait_ms") ? null : f.WholeNumber("max_wait_ms", 1) is { } ms ? TimeSpan.FromMilliseconds(ms) : s.MaxWait,
            Cache = f.Choice("cache", CachePolicies) ?? s.Cache,
            DailyBudgetUsd = f.IsNull("daily_budget_usd") ? null : f.Number("daily_budget_usd", 0m) ?? s.DailyBudgetUsd,
            MonthlyBudgetUsd = f.IsNull("monthly_budget_usd") ? null : f.Number("monthly_budget_usd", 0m) ?? s.MonthlyBudgetUsd,
            BudgetPolicy = f.Choice("budget_policy", BudgetPolicies) ?? s.BudgetPolicy,
            BatchBudgetPolicy = f.Choice("batch_budget_policy", BatchBudgetPolicies) ?? s.BatchBudgetPolicy,
            AlertThresholds = f.Ints("alert_thresholds", 1, 1000) is { } thresholds ? [.. thresholds.Distinct().Order()] : s.AlertThresholds,
            WebhookUrl = f.IsNull("webhook_url") ? null : f.Text("webhook_url", 2000) ?? s.WebhookUrl,
            WebhookSecret = f.IsNull("webhook_secret") ? UpstreamSecret.Empty
                : f.Text("webhook_secret", 500) is { } secret ? new UpstreamSecret(secret) : s.WebhookSecret,
        };

        if (s.WebhookUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            f.Fail(GatewayErrors.Invalid("webhook_url", "'webhook_url' must be an absolute http or https URL."));
        }
        else if (f.Has("webhook_url") && s.WebhookUrl is { } given && egress.Refusal(new Uri(given, UriKind.Absolute)) is { } refusal)
        {
            f.Fail(GatewayErrors.Invalid("webhook_url", $"'webhook_url' is not allowed: {refusal}"));
        }

        if (s.Name.Trim().Length == 0)
        {
            f.Fail(GatewayErrors.Invalid("name", "'name' must not be empty."));
        }

        return s;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex IdPattern();
}
