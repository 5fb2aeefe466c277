namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A gateway (admin API open, to read a key's spend) whose best-of scorer is a <see cref="ScorerServer"/> of the test.</summary>
public sealed class BestOfGatewayFixture : AdminGatewayFixture
{
    public ScorerServer Scorer { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("ImageOrleans:BestOf:ScorerUrl", Scorer.Url.ToString()),
        new("ImageOrleans:BestOf:Timeout", "00:00:05"),
        new("ImageOrleans:BestOf:Retries", "1"),
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Scorer.Dispose();
        }
    }
}
