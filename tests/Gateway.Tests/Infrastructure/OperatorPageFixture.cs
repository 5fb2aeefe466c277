namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A gateway of six simulated accounts, of its own, since the browser test drains one of them.</summary>
public sealed class OperatorPageFixture : OperationsGatewayFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("ImageOrleans:Simulator:Accounts", "6"),
        new("ImageOrleans:Simulator:Latency:MedianMs", "150"),
    ];
}
