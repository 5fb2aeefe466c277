namespace ImageOrleans.Grains.Requests;

/// <summary>
/// Content checks (section <c>ImageOrleans:ContentChecks</c>): terms that refuse a prompt before any
/// upstream call or charge, for every key, per client key id or per tenant; and an optional HTTP hook
/// that sees each generated image and may block it (the generation is still charged).
/// </summary>
public sealed class ContentCheckOptions
{
    /// <summary>Refused for every key.</summary>
    public List<string> BlockedTerms { get; set; } = [];

    /// <summary>Client key id → terms refused for that key.</summary>
    public Dictionary<string, List<string>> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tenant → terms refused for every key of that tenant.</summary>
    public Dictionary<string, List<string>> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Where each generated image is sent for a post-generation check; none when unset.</summary>
    public Uri? OutputHookUrl { get; set; }

    /// <summary>How long the hook may take before the image is let through.</summary>
    public TimeSpan OutputHookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
