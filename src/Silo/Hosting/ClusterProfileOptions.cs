namespace ImageOrleans.Silo.Hosting;

/// <summary>Cluster membership and storage (section <c>ImageOrleans:Cluster</c>).</summary>
public sealed class ClusterProfileOptions
{
    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;
    public string ClusterId { get; set; } = "imageorleans";
    public string ServiceId { get; set; } = "imageorleans";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
}
