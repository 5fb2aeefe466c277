using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Tests.Accounts;

public sealed class HealthStatsTests
{
    [Fact]
    public void Latency_is_an_exponentially_weighted_average_of_successes()
    {
        var stats = new HealthStats(latencyAlpha: 0.5, window: 10);
        stats.Record(true, TimeSpan.FromMilliseconds(100));
        stats.Record(true, TimeSpan.FromMilliseconds(300));
        stats.Record(false, TimeSpan.FromMilliseconds(9000));

        Assert.Equal(200, stats.EwmaLatencyMs, 9);
    }

    [Fact]
    public void Success_rate_covers_only_the_window()
    {
        var stats = new HealthStats(window: 4);
        stats.Record(false, TimeSpan.Zero);
        stats.Record(false, TimeSpan.Zero);
        Assert.Equal(0, stats.SuccessRate);

        for (var i = 0; i < 3; i++)
        {
            stats.Record(true, TimeSpan.Zero);
        }

        Assert.Equal(0.75, stats.SuccessRate, 9);
        Assert.Equal(3, stats.TotalSuccesses);
        Assert.Equal(2, stats.TotalFailures);
    }
}
