using ImageOrleans.Simulator.Engine;
using Xunit;

namespace ImageOrleans.Simulator.Tests.Engine;

public sealed class LatencySamplerTests
{
    [Fact]
    public void FixedAlwaysReturnsTheMedian()
    {
        var latency = new LatencyOptions { Distribution = "fixed", MedianMs = 250 };

        Assert.Equal(TimeSpan.FromMilliseconds(250), LatencySampler.Sample(latency, new Random(1)));
        Assert.False(LatencySampler.IsRandom(latency));
    }

    [Fact]
    public void UniformStaysWithinItsBounds()
    {
        var latency = new LatencyOptions { Distribution = "uniform", MinMs = 100, MaxMs = 200 };
        var random = new Random(7);

        var samples = Enumerable.Range(0, 1000).Select(_ => LatencySampler.Sample(latency, random).TotalMilliseconds).ToList();

        Assert.All(samples, ms => Assert.InRange(ms, 100, 200));
        Assert.InRange(samples.Average(), 140, 160);
    }

    [Fact]
    public void LogNormalHasTheConfiguredMedianAndRespectsTheCap()
    {
        var latency = new LatencyOptions { Distribution = "LogNormal", MedianMs = 100, Sigma = 0.5, MaxMs = 400 };
        var random = new Random(3);

        var samples = Enumerable.Range(0, 4001).Select(_ => LatencySampler.Sample(latency, random).TotalMilliseconds).Order().ToList();

        Assert.All(samples, ms => Assert.InRange(ms, 0.001, 400));
        Assert.InRange(samples[samples.Count / 2], 90, 110);
    }

    [Fact]
    public void TheSameSeedGivesTheSameSequence()
    {
        var latency = new LatencyOptions { Distribution = "lognormal", MedianMs = 100 };
        var first = new Random(11);
        var second = new Random(11);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(LatencySampler.Sample(latency, first), LatencySampler.Sample(latency, second));
        }
    }
}
