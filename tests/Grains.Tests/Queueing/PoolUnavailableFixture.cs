using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Queueing;

/// <summary>
/// A silo of its own whose retry budget starts empty (so the bound on upstream calls is exact) and
/// whose breakers stay open longer than a request's one-minute deadline after they open.
/// </summary>
public sealed class PoolUnavailableFixture : ClusterFixture
{
    public const double Budget = 0.2;

    public static readonly TimeSpan BreakerOpen = TimeSpan.FromMinutes(2);

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["ImageOrleans:Dispatch:RetryBudget"] = "0.2",
        ["ImageOrleans:Dispatch:RetryReserve"] = "0",
        ["ImageOrleans:AccountPolicy:BreakerOpenDuration"] = "00:02:00",

        // Room for every request of a test to wait.
        ["ImageOrleans:Dispatch:QueueDepth"] = "64",
    };
}
