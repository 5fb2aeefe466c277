using ImageOrleans.Grains.Accounts;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Accounts;

public sealed class CircuitBreakerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CircuitBreaker _breaker = new(failureThreshold: 3, openDuration: TimeSpan.FromSeconds(30), maxOpenDuration: TimeSpan.FromSeconds(100));

    [Fact]
    public void An_account_that_fails_every_call_opens_after_the_threshold()
    {
        _breaker.OnFailure(false, _time.GetUtcNow());
        _breaker.OnFailure(false, _time.GetUtcNow());
        Assert.Equal(BreakerState.Closed, _breaker.State);

        _breaker.OnFailure(false, _time.GetUtcNow());
        Assert.Equal(BreakerState.Open, _breaker.State);
        Assert.False(_breaker.Allows(_time.GetUtcNow(), out _));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(30), _breaker.BlockedUntil(_time.GetUtcNow()));
    }

    [Fact]
    public void Scattered_faults_do_not_open_it_but_a_sustained_rate_does()
    {
        // One fault in six (a hang here, a 500 there) over a long run: below half of any window.
        var breaker = new CircuitBreaker(failureThreshold: 5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(100), failureRate: 0.5, window: 20);
        for (var i = 0; i < 600; i++)
        {
            if (i % 6 == 0)
            {
                breaker.OnFailure(false, _time.GetUtcNow());
            }
            else
            {
                breaker.OnSuccess(false);
            }
        }

        Assert.Equal(BreakerState.Closed, breaker.State);

        // Then two calls in three fail: in the window, the failures reach half and the breaker opens.
        var calls = 0;
        while (breaker.State == BreakerState.Closed && calls < 20)
        {
            if (calls++ % 3 == 0)
            {
                breaker.OnSuccess(false);
            }
            else
            {
                breaker.OnFailure(false, _time.GetUtcNow());
            }
        }

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.InRange(breaker.RecentFailures, 10, 20);
        Assert.True(breaker.RecentFailures >= 0.5 * breaker.RecentOutcomes);
    }

    [Fact]
    public void An_account_failing_a_fifth_of_its_calls_in_clusters_stays_closed_over_the_default_window()
    {
        var policy = new AccountPolicyOptions();
        var breaker = new CircuitBreaker(policy.BreakerFailureThreshold, policy.BreakerOpenDuration, policy.BreakerMaxOpenDuration, policy.BreakerFailureRate, policy.BreakerWindow);

        for (var i = 0; i < policy.BreakerWindow; i++)
        {
            breaker.OnSuccess(false);
        }

        // Ten failures in twenty calls, then thirty successes: a fifth overall, as a 20 %-failing upstream
        // clusters by chance now and then. Over a window of 20 this opened the breaker every time.
        for (var block = 0; block < 20; block++)
        {
            for (var i = 0; i < 50; i++)
            {
                if (i < 20 && i % 2 == 0)
                {
                    breaker.OnFailure(false, _time.GetUtcNow());
                }
                else
                {
                    breaker.OnSuccess(false);
                }

                Assert.Equal(BreakerState.Closed, breaker.State);
            }
        }
    }

    [Fact]
    public void An_account_that_dies_after_a_long_healthy_run_opens_after_the_threshold_in_a_row()
    {
        var policy = new AccountPolicyOptions();
        var breaker = new CircuitBreaker(policy.BreakerFailureThreshold, policy.BreakerOpenDuration, policy.BreakerMaxOpenDuration, policy.BreakerFailureRate, policy.BreakerWindow);
        for (var i = 0; i < 100; i++)
        {
            breaker.OnSuccess(false);
        }

        // Its window is full of successes: the rate alone would wait for half of it to fail.
        for (var i = 1; i < policy.BreakerFailureThreshold; i++)
        {
            breaker.OnFailure(false, _time.GetUtcNow());
            Assert.Equal(BreakerState.Closed, breaker.State);
        }

        breaker.OnFailure(false, _time.GetUtcNow());
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void Failures_interrupted_by_successes_still_open_it_once_they_are_half_of_the_recent_calls()
    {
        // The old rule (a run of consecutive failures) never opened on this pattern.
        var breaker = new CircuitBreaker(failureThreshold: 5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(100), failureRate: 0.5, window: 20);
        foreach (var failed in new[] { true, true, false, true, true, false, true })
        {
            if (failed)
            {
                breaker.OnFailure(false, _time.GetUtcNow());
            }
            else
            {
                breaker.OnSuccess(false);
            }
        }

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(1, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void A_recovered_account_starts_a_fresh_history()
    {
        Open();
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(_breaker.Allows(_time.GetUtcNow(), out var probe));
        _breaker.OnSuccess(probe);

        _breaker.OnFailure(false, _time.GetUtcNow());
        _breaker.OnFailure(false, _time.GetUtcNow());
        Assert.Equal(BreakerState.Closed, _breaker.State);
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
