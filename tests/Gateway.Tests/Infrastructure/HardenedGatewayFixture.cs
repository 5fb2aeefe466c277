namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// A started gateway with the admin key set, the dashboard on (trace left at its default, off) and an
/// egress allow-list that names neither loopback nor the embedded simulator.
/// </summary>
public sealed class HardenedGatewayFixture : GatewayFixture
{
    public const string AllowedUpstreams = "*.openai.azure.com";
    public const string AllowedHooks = "hooks.example.com";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ImageOrleans:Admin:Key", AdminGatewayFixture.AdminKey),
        new("ImageOrleans:FrontDoor:Dashboard", "true"),
        new("ImageOrleans:Upstreams:AllowedHosts:0", AllowedUpstreams),
        new("ImageOrleans:Upstreams:AllowedHosts:1", AllowedHooks),
    ];

    public HttpClient Admin() => Http(AdminGatewayFixture.AdminKey);
}
