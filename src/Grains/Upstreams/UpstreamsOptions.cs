namespace ImageOrleans.Grains.Upstreams;

/// <summary>Where the gateway may connect to (section <c>ImageOrleans:Upstreams</c>).</summary>
public sealed class UpstreamsOptions
{
    public const string SectionName = "Upstreams";

    /// <summary>
    /// Hosts that upstream base URLs and key webhook URLs may name: host names (<c>api.openai.com</c>),
    /// patterns for subdomains (<c>*.openai.azure.com</c>), IP addresses, or <c>*</c> for any host.
    /// Empty (the default): any host. Link-local and cloud-metadata addresses are refused either way
    /// unless listed here as addresses.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
}
