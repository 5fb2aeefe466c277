using ImageOrleans.Grains.Accounts;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Accounts;

public sealed class TokenBucketTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Starts_full_and_refuses_once_empty()
    {
        var bucket = new TokenBucket(capacity: 10, ratePerSecond: 10 / 60.0, _time.GetUtcNow());

        for (var i = 0; i < 10; i++)
        {
            Assert.True(bucket.TryTake(1, _time.GetUtcNow()), $"take {i + 1} of 10 should succeed");
        }

        Assert.False(bucket.TryTake(1, _time.GetUtcNow()));
    }

    [Fact]
    public void Refills_lazily_from_elapsed_time()
    {
        var bucket = new TokenBucket(10, 10 / 60.0, _time.GetUtcNow(), initialTokens: 0);

        _time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.False(bucket.TryTake(1, _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(bucket.TryTake(1, _time.GetUtcNow()));
        Assert.False(bucket.TryTake(1, _time.GetUtcNow()));
    }

    [Fact]
    public void Never_exceeds_capacity()
    {
        var bucket = new TokenBucket(4, 1, _time.GetUtcNow(), initialTokens: 0);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(4, bucket.Available(_time.GetUtcNow()), 9);
    }

    [Fact]
    public void Takes_several_tokens_at_once_or_none()
    {
        var bucket = new TokenBucket(10, 1, _time.GetUtcNow(), initialTokens: 3);

        Assert.False(bucket.TryTake(4, _time.GetUtcNow()));
        Assert.Equal(3, bucket.Available(_time.GetUtcNow()), 9);
        Assert.True(bucket.TryTake(3, _time.GetUtcNow()));
        Assert.Equal(0, bucket.Available(_time.GetUtcNow()), 9);
    }

    [Fact]
    public void Time_until_is_exact_and_infinite_beyond_capacity()
    {
        var bucket = new TokenBucket(10, 2, _time.GetUtcNow(), initialTokens: 1);

        Assert.Equal(TimeSpan.Zero, bucket.TimeUntil(1, _time.GetUtcNow()));
        Assert.Equal(TimeSpan.FromSeconds(1.5), bucket.TimeUntil(4, _time.GetUtcNow()));
        Assert.Equal(TimeSpan.FromSeconds(4.5), bucket.TimeUntilFull(_time.GetUtcNow()));
        Assert.Equal(TimeSpan.MaxValue, bucket.TimeUntil(11, _time.GetUtcNow()));
    }

    [Fact]
    public void Refund_gives_back_up_to_capacity()
    {
        var bucket = new TokenBucket(5, 1, _time.GetUtcNow());
        Assert.True(bucket.TryTake(2, _time.GetUtcNow()));

        bucket.Refund(2, _time.GetUtcNow());
        bucket.Refund(2, _time.GetUtcNow());

        Assert.Equal(5, bucket.Available(_time.GetUtcNow()), 9);
    }

    [Fact]
    public void Limit_to_only_lowers()
    {
        var bucket = new TokenBucket(10, 1, _time.GetUtcNow(), initialTokens: 6);

        bucket.LimitTo(8, _time.GetUtcNow());
        Assert.Equal(6, bucket.Available(_time.GetUtcNow()), 9);

        bucket.LimitTo(2, _time.GetUtcNow());
        Assert.Equal(2, bucket.Available(_time.GetUtcNow()), 9);
    }

    [Fact]
    public void Reconfigure_keeps_level_and_applies_new_rate()
    {
        var bucket = new TokenBucket(10, 1, _time.GetUtcNow(), initialTokens: 8);

        bucket.Reconfigure(capacity: 5, ratePerSecond: 0.5, _time.GetUtcNow());
        Assert.Equal(5, bucket.Available(_time.GetUtcNow()), 9);

        Assert.True(bucket.TryTake(5, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, bucket.Available(_time.GetUtcNow()), 9);
    }
}
