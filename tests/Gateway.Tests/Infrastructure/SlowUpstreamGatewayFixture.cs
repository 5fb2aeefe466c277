namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>The admin gateway whose simulated upstream takes a noticeable time, so clients can leave mid-generation.</summary>
public sealed class SlowUpstreamGatewayFixture : AdminGatewayFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("ImageOrleans:Simulator:Latency:MedianMs", "400"),
    ];
}
