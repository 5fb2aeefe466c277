using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Configuration;

/// <summary>One upstream account in configuration (<c>ImageOrleans:Accounts:{id}</c>).</summary>
public sealed class AccountOptions
{
    public UpstreamKind Kind { get; set; } = UpstreamKind.OpenAI;
    public string? BaseUrl { get; set; }

    /// <summary>Secret: never logged or returned; supply it through an environment variable or a secret store.</summary>
    public string? ApiKey { get; set; }

    public string? Organization { get; set; }
    public string? Project { get; set; }
    public string? ApiVersion { get; set; }
    public Dictionary<string, string> Deployments { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Models { get; set; } = [];
    public int RequestsPerMinute { get; set; } = 60;
    public int ImagesPerMinute { get; set; } = 60;
    public int MaxConcurrency { get; set; } = 8;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);
    public double Weight { get; set; } = 1.0;
    public bool Enabled { get; set; } = true;
    public string? Group { get; set; }

    /// <summary>Routing order of the account's group: lower first; the next group takes the overflow.</summary>
    public int GroupPriority { get; set; }

    /// <summary>Accounts with the same scope (keys of one organisation or project) share one limit.</summary>
    public string? LimitScope { get; set; }

    /// <summary>This account's prices as a share of the price table (a cheaper deployment, a reseller).</summary>
    public decimal PriceFactor { get; set; } = 1m;

    public UpstreamAccount ToAccount(string id) => new()
    {
        Id = id,
        Kind = Kind,
        BaseUrl = BaseUrl,
        ApiKey = new UpstreamSecret(ApiKey ?? string.Empty),
        Organization = Organization,
        Project = Project,
        ApiVersion = ApiVersion,
        Deployments = new Dictionary<string, string>(Deployments, StringComparer.OrdinalIgnoreCase),
        Models = [.. Models],
        RequestsPerMinute = RequestsPerMinute,
        ImagesPerMinute = ImagesPerMinute,
        MaxConcurrency = MaxConcurrency,
        Timeout = Timeout,
        Weight = Weight,
        Enabled = Enabled,
        Group = Group,
        GroupPriority = GroupPriority,
        LimitScope = LimitScope,
        PriceFactor = PriceFactor,
    };

    /// <summary>Problems that make this account unusable, worded for an operator reading the start-up error.</summary>
    public IEnumerable<string> Problems(string id)
    {
        if (Models.Count == 0)
        {
            yield return $"Account '{id}': list the models it serves in Models.";
        }
        else if (!Models.All(ModelNames.IsAcceptable))
        {
            yield return $"Account '{id}': every name in Models must be 1 to {ModelNames.MaxLength} visible ASCII characters without '|'.";
        }

        if (RequestsPerMinute <= 0 || ImagesPerMinute <= 0 || MaxConcurrency <= 0)
        {
            yield return $"Account '{id}': RequestsPerMinute, ImagesPerMinute and MaxConcurrency must be positive.";
        }

        if (Timeout <= TimeSpan.Zero)
        {
            yield return $"Account '{id}': Timeout must be positive.";
        }

        if (PriceFactor <= 0)
        {
            yield return $"Account '{id}': PriceFactor must be positive.";
        }

        if (Weight <= 0)
        {
            yield return $"Account '{id}': Weight must be positive.";
        }

        if (Kind is UpstreamKind.OpenAI or UpstreamKind.AzureOpenAI && string.IsNullOrWhiteSpace(ApiKey))
        {
            yield return $"Account '{id}': an {Kind} account needs an ApiKey.";
        }

        if (Kind is UpstreamKind.AzureOpenAI or UpstreamKind.Compatible && string.IsNullOrWhiteSpace(BaseUrl))
        {
            yield return $"Account '{id}': an {Kind} account needs a BaseUrl.";
        }

        if (!string.IsNullOrWhiteSpace(BaseUrl) && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            yield return $"Account '{id}': BaseUrl '{BaseUrl}' is not an absolute URL.";
        }
    }
}
