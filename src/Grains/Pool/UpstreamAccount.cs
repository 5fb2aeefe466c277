using System.Text;

namespace ImageOrleans.Grains.Pool;

/// <summary>One upstream account of the pool: where it is, how to authenticate, what it serves and its limits.</summary>
[GenerateSerializer, Immutable, Alias("io.UpstreamAccount")]
public sealed record UpstreamAccount
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public UpstreamKind Kind { get; init; } = UpstreamKind.OpenAI;
    [Id(2)] public string? BaseUrl { get; init; }
    [Id(3)] public UpstreamSecret ApiKey { get; init; } = UpstreamSecret.Empty;
    [Id(4)] public string? Organization { get; init; }
    [Id(5)] public string? Project { get; init; }
    [Id(6)] public string? ApiVersion { get; init; }

    /// <summary>Azure OpenAI: model name → deployment name; a model without an entry uses its own name.</summary>
    [Id(7)] public IReadOnlyDictionary<string, string> Deployments { get; init; } = new Dictionary<string, string>();

    [Id(8)] public IReadOnlyList<string> Models { get; init; } = [];
    [Id(9)] public int RequestsPerMinute { get; init; } = 60;
    [Id(10)] public int ImagesPerMinute { get; init; } = 60;
    [Id(11)] public int MaxConcurrency { get; init; } = 8;
    [Id(12)] public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);
    [Id(13)] public double Weight { get; init; } = 1.0;
    [Id(14)] public bool Enabled { get; init; } = true;
    /// <summary>The account's group: accounts of one group are routed together (see <see cref="GroupPriority"/>).</summary>
    [Id(15)] public string? Group { get; init; }

    /// <summary>Bumped on every change, so caches can tell an old definition from a new one.</summary>
    [Id(16)] public long Version { get; init; }

    /// <summary>This account's prices as a share of the price table: 0.8 for a deployment 20 % cheaper.</summary>
    [Id(17)] public decimal PriceFactor { get; init; } = 1m;

    /// <summary>
    /// Routing order of the account's group: lower first. Traffic goes to the accounts of the lowest
    /// priority that have room and overflows to the next priority only when none has.
    /// </summary>
    [Id(18)] public int GroupPriority { get; init; }

    /// <summary>
    /// Accounts that declare the same scope (keys of one OpenAI organisation or project) draw on
    /// one shared set of buckets, besides their own; null for an account with a limit of its own.
    /// </summary>
    [Id(19)] public string? LimitScope { get; init; }

    public bool Serves(string model) => Models.Contains(model, StringComparer.OrdinalIgnoreCase);

    // Records print every property; this one must never print the key in full.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id)
            .Append(", Kind = ").Append(Kind)
            .Append(", BaseUrl = ").Append(BaseUrl)
            .Append(", ApiKey = ").Append(ApiKey.Masked)
            .Append(", Models = [").AppendJoin(", ", Models).Append(']')
            .Append(", Enabled = ").Append(Enabled);
        return true;
    }
}
