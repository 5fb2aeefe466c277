using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Silo.Admin;

/// <summary>The upstream-account fields of the admin API, applied onto an account (absent fields stay as they are).</summary>
public static class AccountInput
{
    public static readonly IReadOnlyDictionary<string, UpstreamKind> Kinds = new Dictionary<string, UpstreamKind>
    {
        ["openai"] = UpstreamKind.OpenAI,
        ["azure_openai"] = UpstreamKind.AzureOpenAI,
        ["compatible"] = UpstreamKind.Compatible,
        ["simulated"] = UpstreamKind.Simulated,
    };

    /// <summary>Applies the fields onto <paramref name="current"/> (or a new account's defaults) and checks the result.</summary>
    public static UpstreamAccount Apply(JsonFields f, string id, UpstreamAccount? current, EgressPolicy egress)
    {
        var a = current ?? new AccountOptions().ToAccount(id);
        var newKey = f.Text("api_key", 1000)?.Trim();
        a = a with
        {
            Kind = f.Choice("kind", Kinds) ?? a.Kind,
            BaseUrl = f.IsNull("base_url") ? null : f.Text("base_url", 2000) ?? a.BaseUrl,

            // Write-only: a PATCH without api_key keeps the stored one.
            ApiKey = newKey is not null ? new UpstreamSecret(newKey) : a.ApiKey,
            Organization = f.IsNull("organization") ? null : f.Text("organization", 200) ?? a.Organization,
            Project = f.IsNull("project") ? null : f.Text("project", 200) ?? a.Project,
            ApiVersion = f.IsNull("api_version") ? null : f.Text("api_version", 100) ?? a.ApiVersion,
            Deployments = f.StringMap("deployments") ?? a.Deployments,
            Models = f.Strings("models") ?? a.Models,
            RequestsPerMinute = f.WholeNumber("requests_per_minute", 1) ?? a.RequestsPerMinute,
            ImagesPerMinute = f.WholeNumber("images_per_minute", 1) ?? a.ImagesPerMinute,
            MaxConcurrency = f.WholeNumber("max_concurrency", 1, 10_000) ?? a.MaxConcurrency,
            Timeout = f.Number("timeout_seconds", 0m, 3600m, exclusiveMin: true) is { } seconds ? TimeSpan.FromSeconds((double)seconds) : a.Timeout,
            Weight = f.Real("weight", 0, 1000) ?? a.Weight,
            Enabled = f.Flag("enabled") ?? a.Enabled,
            Group = f.IsNull("group") ? null : f.Text("group", 200) ?? a.Group,
            GroupPriority = f.WholeNumber("group_priority", 0, 1000) ?? a.GroupPriority,
            LimitScope = f.IsNull("limit_scope") ? null : f.Text("limit_scope", 200) ?? a.LimitScope,
            PriceFactor = f.Number("price_factor", 0m, 100m, exclusiveMin: true) ?? a.PriceFactor,
        };

        // The stored key goes wherever base_url and kind point: moving it elsewhere takes the key itself,
        // so the admin key alone cannot send an upstream key to a host of its choosing.
        if (current is not null && newKey is null && (a.BaseUrl != current.BaseUrl || a.Kind != current.Kind))
        {
            f.Fail(GatewayErrors.Invalid("api_key",
                "Changing 'base_url' or 'kind' of an account requires its 'api_key' in the same request."));
        }

        if (a.Models.Count == 0 || !a.Models.All(ModelNames.IsAcceptable))
        {
            f.Fail(GatewayErrors.Invalid("models",
                $"'models' must list the models the account serves: names of 1 to {ModelNames.MaxLength} visible ASCII characters, without '|'."));
        }

        if (a.Kind is UpstreamKind.OpenAI or UpstreamKind.AzureOpenAI && a.ApiKey.IsEmpty)
        {
            f.Fail(GatewayErrors.Invalid("api_key", $"An {a.Kind} account needs an 'api_key'."));
        }

        if (a.Kind is UpstreamKind.AzureOpenAI or UpstreamKind.Compatible && string.IsNullOrWhiteSpace(a.BaseUrl))
        {
            f.Fail(GatewayErrors.Invalid("base_url", $"An {a.Kind} account needs a 'base_url'."));
        }

        if (a.BaseUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            f.Fail(GatewayErrors.Invalid("base_url", "'base_url' must be an absolute http or https URL."));
        }
        else if ((current is null || f.Has("base_url") || f.Has("kind")) && EffectiveBaseUrl(a) is { } target && egress.Refusal(target) is { } refusal)
        {
            f.Fail(GatewayErrors.Invalid("base_url", $"'base_url' is not allowed: {refusal}"));
        }

        return a;
    }

    private static Uri? EffectiveBaseUrl(UpstreamAccount a) =>
        a.BaseUrl is { } url ? new Uri(url, UriKind.Absolute)
        : a.Kind == UpstreamKind.OpenAI ? OpenAIUpstreamClient.DefaultBaseUrl
        : null;
}
