using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>A silo of its own whose retry budget starts empty, so the bound it promises is exact.</summary>
public sealed class RetryBudgetFixture : ClusterFixture
{
    public const double Budget = 0.2;

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["ImageOrleans:Dispatch:RetryBudget"] = "0.2",
        ["ImageOrleans:Dispatch:RetryReserve"] = "0",

        // Breakers stay shut, so every request reaches the failing accounts and only the budget holds retries back.
        ["ImageOrleans:AccountPolicy:BreakerFailureThreshold"] = "10000",
        ["ImageOrleans:AccountPolicy:BreakerWindow"] = "10000",
    };
}
