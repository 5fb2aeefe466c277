using ImageOrleans.Simulator.RateLimiting;
using Xunit;

namespace ImageOrleans.Simulator.Tests.RateLimiting;

public sealed class GcraLimiterTests
{
    private const long Frequency = TimeSpan.TicksPerSecond;
    private const long Start = 1_000 * TimeSpan.TicksPerSecond;

    [Fact]
    public void StartsFull()
    {
        var limiter = new GcraLimiter(10, Frequency);

        Assert.Equal(10, limiter.Remaining(Start));
        Assert.Equal(TimeSpan.Zero, limiter.TimeUntilFull(Start));
    }

    [Fact]
    public void AdmitsExactlyTheLimitThenOneMorePerEmissionInterval()
    {
        var limiter = new GcraLimiter(10, Frequency);

        for (var i = 0; i < 10; i++)
        {
            Assert.True(limiter.TryAcquire(1, Start, out _), $"request {i + 1} of 10");
        }

        Assert.False(limiter.TryAcquire(1, Start, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(6), retryAfter);
        Assert.Equal(0, limiter.Remaining(Start));
        Assert.Equal(TimeSpan.FromMinutes(1), limiter.TimeUntilFull(Start));

        var sixSecondsLater = Start + (6 * TimeSpan.TicksPerSecond);
        Assert.False(limiter.TryAcquire(1, sixSecondsLater - 1, out var almost));
        Assert.Equal(TimeSpan.FromTicks(1), almost);
        Assert.True(limiter.TryAcquire(1, sixSecondsLater, out _));
        Assert.False(limiter.TryAcquire(1, sixSecondsLater, out var again));
        Assert.Equal(TimeSpan.FromSeconds(6), again);
    }

    [Fact]
    public void RefillsContinuouslyAndReportsWholeTokens()
    {
        var limiter = new GcraLimiter(10, Frequency);
        Assert.True(limiter.TryAcquire(10, Start, out _));

        Assert.Equal(0, limiter.Remaining(Start + (5 * TimeSpan.TicksPerSecond)));
        Assert.Equal(1, limiter.Remaining(Start + (6 * TimeSpan.TicksPerSecond)));
        Assert.Equal(5, limiter.Remaining(Start + (35 * TimeSpan.TicksPerSecond)));
        Assert.Equal(TimeSpan.FromSeconds(25), limiter.TimeUntilFull(Start + (35 * TimeSpan.TicksPerSecond)));
        Assert.Equal(10, limiter.Remaining(Start + (10 * 60 * TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public void IdleTimeNeverOverfillsTheBucket()
    {
        var limiter = new GcraLimiter(3, Frequency);
        var muchLater = Start + (3600 * TimeSpan.TicksPerSecond);

        Assert.True(limiter.TryAcquire(3, muchLater, out _));
        Assert.False(limiter.TryAcquire(1, muchLater, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(20), retryAfter);
    }

    [Fact]
    public void MultiTokenRequestsWaitForTheWholeAmount()
    {
        var limiter = new GcraLimiter(10, Frequency);
        Assert.True(limiter.TryAcquire(4, Start, out _));
        Assert.True(limiter.TryAcquire(4, Start, out _));

        Assert.False(limiter.TryAcquire(4, Start, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(12), retryAfter);
        Assert.Equal(2, limiter.Remaining(Start));
        Assert.True(limiter.TryAcquire(4, Start + (12 * TimeSpan.TicksPerSecond), out _));
    }

    [Fact]
    public void MoreTokensThanTheCapacityAreNeverAdmitted()
    {
        var limiter = new GcraLimiter(3, Frequency);

        Assert.False(limiter.CanAcquire(4, Start, out var retryAfter));
        Assert.Equal(Timeout.InfiniteTimeSpan, retryAfter);
        Assert.False(limiter.CanAcquire(4, Start + (3600 * TimeSpan.TicksPerSecond), out _));
        Assert.Equal(3, limiter.Remaining(Start));
    }

    [Fact]
    public void CanAcquireDoesNotConsume()
    {
        var limiter = new GcraLimiter(2, Frequency);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.CanAcquire(2, Start, out _));
        }

        Assert.Equal(2, limiter.Remaining(Start));
    }

    [Fact]
    public void RefillMakesTheBucketFull()
    {
        var limiter = new GcraLimiter(5, Frequency);
        Assert.True(limiter.TryAcquire(5, Start, out _));

        limiter.Refill();

        Assert.Equal(5, limiter.Remaining(Start));
        Assert.Equal(TimeSpan.Zero, limiter.TimeUntilFull(Start));
    }

    [Fact]
    public void IsExactWithANanosecondClockAndALimitThatDoesNotDivideTheMinute()
    {
        const long nanoseconds = 1_000_000_000;
        var limiter = new GcraLimiter(7, nanoseconds);
        var start = 5 * nanoseconds;
        Assert.True(limiter.TryAcquire(7, start, out _));

        // One token every 60/7 s = 8 571 428 571.43 ns.
        Assert.False(limiter.TryAcquire(1, start + 8_571_428_571, out _));
        Assert.True(limiter.TryAcquire(1, start + 8_571_428_572, out _));
        Assert.False(limiter.CanAcquire(1, start + 8_571_428_572, out var retryAfter));
        Assert.Equal(TimeSpan.FromTicks(85_714_286), retryAfter);
    }

    [Fact]
    public void ChangingTheLimitKeepsTheTokensAlreadyUsed()
    {
        var limiter = new GcraLimiter(10, Frequency);
        Assert.True(limiter.TryAcquire(4, Start, out _));

        limiter.ChangeLimit(20, Start);
        Assert.Equal(20, limiter.Limit);
        Assert.Equal(16, limiter.Remaining(Start));

        limiter.ChangeLimit(2, Start);
        Assert.Equal(0, limiter.Remaining(Start));
        Assert.Equal(TimeSpan.FromMinutes(1), limiter.TimeUntilFull(Start));
    }

    [Fact]
    public void ChangingTheLimitOfAFullBucketLeavesItFull()
    {
        var limiter = new GcraLimiter(10, Frequency);

        limiter.ChangeLimit(4, Start);

        Assert.Equal(4, limiter.Remaining(Start));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void RejectsNonPositiveLimitsAndTokenCounts(int value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GcraLimiter(value, Frequency));
        var limiter = new GcraLimiter(1, Frequency);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.CanAcquire(value, Start, out _));
    }
}
