using ImageOrleans.Simulator.Engine;
using ImageOrleans.Simulator.RateLimiting;
using Xunit;

namespace ImageOrleans.Simulator.Tests.Engine;

public sealed class SimulatedKeyStateTests
{
    private const long Now = 42 * TimeSpan.TicksPerSecond;

    [Fact]
    public void ARefusedRequestConsumesNeitherBucket()
    {
        var state = NewState(new SimulatedKey { Key = "k", RequestsPerMinute = 10, ImagesPerMinute = 5 });
        Assert.True(state.TryAcquire(4, Now).Allowed);

        var refused = state.TryAcquire(4, Now);

        Assert.False(refused.Allowed);
        Assert.Equal(RateLimitBucket.Images, refused.Bucket);
        Assert.Equal(5, refused.Limit);
        Assert.Equal(4, refused.Used);
        Assert.Equal(4, refused.Requested);
        Assert.Equal(TimeSpan.FromSeconds(36), refused.RetryAfter);
        var status = state.GetStatus(Now);
        Assert.Equal(new BucketStatus(10, 9, TimeSpan.FromSeconds(6)), status.Requests);
        Assert.Equal(new BucketStatus(5, 1, TimeSpan.FromSeconds(48)), status.Images);
    }

    [Fact]
    public void ReportsTheBucketThatHoldsTheRequestBackLongest()
    {
        var state = NewState(new SimulatedKey { Key = "k", RequestsPerMinute = 1, ImagesPerMinute = 60 });
        Assert.True(state.TryAcquire(1, Now).Allowed);

        var refused = state.TryAcquire(1, Now);

        Assert.Equal(RateLimitBucket.Requests, refused.Bucket);
        Assert.Equal(TimeSpan.FromMinutes(1), refused.RetryAfter);
    }

    [Fact]
    public void ARequestLargerThanTheImagesCapacityHasNoRetryTime()
    {
        var state = NewState(new SimulatedKey { Key = "k", ImagesPerMinute = 3 });

        var refused = state.TryAcquire(4, Now);

        Assert.False(refused.Allowed);
        Assert.Equal(RateLimitBucket.Images, refused.Bucket);
        Assert.Null(refused.RetryAfter);
    }

    [Fact]
    public async Task ConcurrentCallersNeverOverdraw()
    {
        var state = NewState(new SimulatedKey { Key = "k", RequestsPerMinute = 100, ImagesPerMinute = 1000 });
        var admitted = 0;

        await Parallel.ForAsync(0, 2000, (_, _) =>
        {
            if (state.TryAcquire(1, Now).Allowed)
            {
                Interlocked.Increment(ref admitted);
            }

            return ValueTask.CompletedTask;
        });

        Assert.Equal(100, admitted);
    }

    [Fact]
    public void TheConcurrencyGateAdmitsUpToTheCap()
    {
        var state = NewState(new SimulatedKey { Key = "k", MaxConcurrency = 2 });

        Assert.True(state.TryEnter());
        Assert.True(state.TryEnter());
        Assert.False(state.TryEnter());
        state.Exit();
        Assert.True(state.TryEnter());
    }

    [Fact]
    public void TrueLimitFactorScalesTheEnforcedLimits()
    {
        var state = NewState(new SimulatedKey { Key = "k", RequestsPerMinute = 10, ImagesPerMinute = 3, TrueLimitFactor = 0.5 });

        var status = state.GetStatus(Now);

        Assert.Equal(5, status.Requests.Limit);
        Assert.Equal(1, status.Images.Limit);
    }

    [Theory]
    [InlineData(10, 0.5, 5)]
    [InlineData(100, 0.29, 29)]
    [InlineData(10, 0.7, 7)]
    [InlineData(1, 0.1, 1)]
    [InlineData(10, 1.5, 15)]
    public void EnforcedLimitIsTheFlooredProductAndAtLeastOne(int configured, double factor, int expected)
    {
        var key = new SimulatedKey { RequestsPerMinute = configured, ImagesPerMinute = configured, TrueLimitFactor = factor };

        Assert.Equal(expected, key.EnforcedRequestsPerMinute);
        Assert.Equal(expected, key.EnforcedImagesPerMinute);
    }

    private static SimulatedKeyState NewState(SimulatedKey key) =>
        new(key, new SimulatorStats().ForKey(key.Key), TimeSpan.TicksPerSecond);
}
