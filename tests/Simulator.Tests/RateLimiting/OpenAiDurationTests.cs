using ImageOrleans.Simulator.RateLimiting;
using Xunit;

namespace ImageOrleans.Simulator.Tests.RateLimiting;

public sealed class OpenAiDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ms")]
    [InlineData(250 * TimeSpan.TicksPerMillisecond, "250ms")]
    [InlineData((250 * TimeSpan.TicksPerMillisecond) + 1, "251ms")]
    [InlineData(TimeSpan.TicksPerSecond, "1s")]
    [InlineData(1500 * TimeSpan.TicksPerMillisecond, "1.5s")]
    [InlineData(6 * TimeSpan.TicksPerSecond, "6s")]
    [InlineData(5961 * TimeSpan.TicksPerMillisecond, "5.961s")]
    [InlineData(60 * TimeSpan.TicksPerSecond, "1m0s")]
    [InlineData(66_250 * TimeSpan.TicksPerMillisecond, "1m6.25s")]
    [InlineData(3600 * TimeSpan.TicksPerSecond, "1h0m0s")]
    [InlineData(3723 * TimeSpan.TicksPerSecond, "1h2m3s")]
    public void FormatsLikeGoDurations(long ticks, string expected) =>
        Assert.Equal(expected, OpenAiDuration.Format(TimeSpan.FromTicks(ticks)));
}
