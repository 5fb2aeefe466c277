namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A started gateway with the dashboard and its live log stream turned on.</summary>
public sealed class DashboardTraceGatewayFixture : GatewayFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ImageOrleans:Admin:Key", AdminGatewayFixture.AdminKey),
        new("ImageOrleans:FrontDoor:Dashboard", "true"),
        new("ImageOrleans:FrontDoor:DashboardTrace", "true"),
    ];
}
