using ImageOrleans.Grains.Accounts;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Accounts;

public sealed class CircuitBreakerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CircuitBreaker _breaker = new(failureThreshold: 3, openDuration: TimeSpan.FromSeconds(30), maxOpenDuration: TimeSpan.FromSeconds(100));

    [Fact]
    public void Opens_after_consecutive_failures_only()
    {
        _breaker.OnFailure(false, _time.GetUtcNow());
        _breaker.OnFailure(false, _time.GetUtcNow());
        _breaker.OnSuccess(false);
        _breaker.OnFailure(false, _time.GetUtcNow());
        _breaker.OnFailure(false, _time.GetUtcNow());
        Assert.Equal(BreakerState.Closed, _breaker.State);

        _breaker.OnFailure(false, _time.GetUtcNow());
        Assert.Equal(BreakerState.Open, _breaker.State);
        Assert.False(_breaker.Allows(_time.GetUtcNow(), out _));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(30), _breaker.BlockedUntil(_time.GetUtcNow()));
    }

    [Fact]
    public void Lets_one_probe_through_after_the_cool_down_and_closes_on_its_success()
    {
        Open();
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(_breaker.Allows(_time.GetUtcNow(), out var probe));
        Assert.True(probe);
        Assert.Equal(BreakerState.HalfOpen, _breaker.State);
        Assert.False(_breaker.Allows(_time.GetUtcNow(), out _));

        _breaker.OnSuccess(wasProbe: true);
        Assert.Equal(BreakerState.Closed, _breaker.State);
        Assert.True(_breaker.Allows(_time.GetUtcNow(), out var again));
        Assert.False(again);
    }

    [Fact]
    public void A_failed_probe_reopens_for_twice_as_long_up_to_the_ceiling()
    {
        Open();
        foreach (var expected in new[] { 60, 100, 100 })
        {
            _time.Advance(_breaker.OpenUntil!.Value - _time.GetUtcNow());
            Assert.True(_breaker.Allows(_time.GetUtcNow(), out var probe));
            _breaker.OnFailure(probe, _time.GetUtcNow());
            Assert.Equal(BreakerState.Open, _breaker.State);
            Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(expected), _breaker.OpenUntil);
        }
    }

    [Fact]
    public void An_abandoned_probe_frees_the_half_open_slot()
    {
        Open();
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(_breaker.Allows(_time.GetUtcNow(), out var probe));

        _breaker.OnProbeAbandoned(probe);

        Assert.True(_breaker.Allows(_time.GetUtcNow(), out var second));
        Assert.True(second);
    }

    [Fact]
    public void Reset_closes_the_breaker_and_forgets_its_back_off()
    {
        Open();
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(_breaker.Allows(_time.GetUtcNow(), out var probe));
        _breaker.OnFailure(probe, _time.GetUtcNow());
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(60), _breaker.OpenUntil);

        _breaker.Reset();
        Assert.Equal((BreakerState.Closed, 0, false), (_breaker.State, _breaker.ConsecutiveFailures, _breaker.ProbeInFlight));

        // Tripped again, it is open for the base duration, not the doubled one.
        Open();
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(30), _breaker.OpenUntil);
    }

    private void Open()
    {
        for (var i = 0; i < 3; i++)
        {
            _breaker.OnFailure(false, _time.GetUtcNow());
        }

        Assert.Equal(BreakerState.Open, _breaker.State);
    }
}
