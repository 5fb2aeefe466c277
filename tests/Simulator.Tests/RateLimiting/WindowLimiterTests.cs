using ImageOrleans.Simulator.RateLimiting;
using Xunit;

namespace ImageOrleans.Simulator.Tests.RateLimiting;

public sealed class WindowLimiterTests
{
    private const long Frequency = TimeSpan.TicksPerSecond;
    private const long Second = TimeSpan.TicksPerSecond;

    // A window boundary, so fixed windows start here.
    private const long Start = 1_000 * Second;

    [Fact]
    public void A_fixed_one_second_window_admits_the_minutes_limit_scaled_down_then_resets_on_the_boundary()
    {
        // 120 a minute over 1-second windows: 2 a second.
        var limiter = new WindowLimiter(120, 1, sliding: false, Frequency);
        Assert.Equal(2, limiter.Capacity);

        Acquire(limiter, Start + (Second / 4));
        Acquire(limiter, Start + (Second / 2));
        Assert.False(limiter.CanAcquire(1, Start + (Second / 2), out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(500), wait);
        Assert.Equal(0, limiter.Remaining(Start + (Second / 2)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), limiter.TimeUntilFull(Start + (Second / 2)));

        // The next window starts empty, although the last request was only half a second ago.
        Assert.True(limiter.CanAcquire(2, Start + Second, out _));
        Assert.Equal(2, limiter.Remaining(Start + Second));
    }

    [Fact]
    public void A_sliding_window_never_admits_more_than_its_capacity_in_any_window()
    {
        // 60 a minute over a sliding 60-s window; as many requests as allowed, every tenth of a second, for three minutes.
        var limiter = new WindowLimiter(60, 60, sliding: true, Frequency);
        var admitted = new List<long>();
        for (var t = Start; t < Start + (180 * Second); t += Second / 10)
        {
            while (limiter.CanAcquire(1, t, out _))
            {
                limiter.Acquire(1, t);
                admitted.Add(t);
            }
        }

        foreach (var at in admitted)
        {
            Assert.True(admitted.Count(a => a > at - (60 * Second) && a <= at) <= 60, $"more than 60 in the 60 s ending at {at}");
        }

        // A full window at once, and the next only when those have left it, a whole window later.
        Assert.Equal(60, admitted.Count(a => a == Start));
        Assert.Equal(60, admitted.Count(a => a == Start + (60 * Second)));
        Assert.Equal(180, admitted.Count);
    }

    [Fact]
    public void A_sliding_window_says_when_the_oldest_tokens_leave_it()
    {
        var limiter = new WindowLimiter(6, 60, sliding: true, Frequency);
        for (var i = 0; i < 6; i++)
        {
            Acquire(limiter, Start + (i * 10 * Second));
        }

        var now = Start + (55 * Second);
        Assert.False(limiter.CanAcquire(1, now, out var one));
        Assert.Equal(TimeSpan.FromSeconds(5), one);
        Assert.False(limiter.CanAcquire(2, now, out var two));
        Assert.Equal(TimeSpan.FromSeconds(15), two);
        Assert.Equal(TimeSpan.FromSeconds(55), limiter.TimeUntilFull(now));
        Assert.False(limiter.CanAcquire(7, now, out var never));
        Assert.Equal(Timeout.InfiniteTimeSpan, never);

        Assert.True(limiter.CanAcquire(1, Start + (60 * Second), out _));
    }

    [Fact]
    public void A_small_limit_over_a_short_window_still_admits_one()
    {
        var limiter = new WindowLimiter(6, 1, sliding: false, Frequency);

        Assert.Equal(1, limiter.Capacity);
        Assert.True(limiter.CanAcquire(1, Start, out _));
    }

    private static void Acquire(WindowLimiter limiter, long at)
    {
        Assert.True(limiter.CanAcquire(1, at, out _));
        limiter.Acquire(1, at);
    }
}
