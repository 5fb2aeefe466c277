using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>Pacing without a cluster: configured and advertised limits, learning from 429s, recovery.</summary>
public sealed class AdaptivePacingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly AccountPolicyOptions _policy = new();
    private readonly AdaptivePacing _pacing;

    public AdaptivePacingTests()
    {
        _pacing = new AdaptivePacing(_policy);
        _pacing.Start(new UpstreamAccount { Id = "a", RequestsPerMinute = 60, ImagesPerMinute = 600 }, Now, null, null);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Paces_just_under_the_configured_limit_with_a_burst_below_a_full_minute()
    {
        Assert.Equal(new BucketLevel(54, 54, 60 * 0.98 / 60), _pacing.Requests(Now));
        Assert.Equal(new BucketLevel(540, 540, 600 * 0.98 / 60), _pacing.Images(Now));
    }

    [Fact]
    public void A_small_image_limit_still_holds_the_largest_request()
    {
        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 60, ImagesPerMinute = 11 }, Now);

        Assert.Equal(10, _pacing.Images(Now).Capacity);
    }

    [Fact]
    public void An_advertised_lower_limit_is_believed_at_once_with_what_it_says_is_left()
    {
        var version = _pacing.Version;

        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 30, RemainingRequests = 5 }, Now);

        Assert.Equal(new BucketLevel(5, 27, 30 * 0.98 / 60), _pacing.Requests(Now));
        Assert.Equal(1.0, _pacing.LearnedRateFactor);
        Assert.Equal(version + 1, _pacing.Version);
    }

    [Fact]
    public void A_remaining_figure_without_a_new_limit_does_not_lower_the_level()
    {
        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 60, RemainingRequests = 0 }, Now);
        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 60, RemainingRequests = 0 }, Now);

        // The first success taught the limit (the configured one) and the level; the second changes nothing.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(10 * 0.98, _pacing.Requests(Now).Tokens, 9);
    }

    [Fact]
    public void A_429_at_the_current_pace_slows_down_empties_the_buckets_and_cools_down()
    {
        var cooldown = _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);

        Assert.Equal(_policy.DefaultRateLimitCooldown, cooldown);
        Assert.Equal((0.85, 1.0, Now), (_pacing.LearnedRateFactor, _pacing.LearnedCeiling, _pacing.LastRateLimitedAt));
        Assert.Equal(new BucketLevel(0, Math.Floor(51 * 0.9), 51 * 0.98 / 60), _pacing.Requests(Now));
        Assert.Equal(0, _pacing.Images(Now).Tokens);
    }

    [Fact]
    public void A_429_for_a_call_granted_under_an_older_pace_teaches_nothing()
    {
        var old = _pacing.Version;
        _pacing.OnRateLimited(null, RateLimitInfo.None, old, Now);

        var cooldown = _pacing.OnRateLimited(TimeSpan.FromSeconds(3), RateLimitInfo.None, old, Now);

        Assert.Equal(TimeSpan.FromSeconds(3), cooldown);
        Assert.Equal(0.85, _pacing.LearnedRateFactor);
    }

    [Fact]
    public void A_429_explained_by_an_advertised_lower_limit_does_not_lower_the_factor()
    {
        _pacing.OnRateLimited(null, new RateLimitInfo { LimitRequests = 20, RemainingRequests = 0 }, _pacing.Version, Now);

        Assert.Equal(1.0, _pacing.LearnedRateFactor);
        Assert.Equal(20 * 0.98 / 60, _pacing.Requests(Now).RatePerSecond, 12);
    }

    [Theory]
    [InlineData(null, 30, 60, 1.0)]
    [InlineData(null, 0.5, 60, 0.5)]
    [InlineData(7.0, 30, 60, 7.0)]
    [InlineData(3600.0, 30, 60, 600.0)]
    public void The_cool_down_is_retry_after_or_one_token_of_the_exhausted_limit_capped(double? retryAfter, double reset, int limit, double expected)
    {
        var info = new RateLimitInfo { LimitRequests = limit, RemainingRequests = 0, ResetRequests = TimeSpan.FromSeconds(reset) };

        var cooldown = _pacing.OnRateLimited(retryAfter is { } s ? TimeSpan.FromSeconds(s) : null, info, _pacing.Version, Now);

        Assert.Equal(TimeSpan.FromSeconds(expected), cooldown);
    }

    [Fact]
    public void Recovery_creeps_up_per_quiet_minute_to_just_under_the_failing_pace_then_probes_past_it()
    {
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(_pacing.Recover(Now));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_pacing.Recover(Now));
        Assert.Equal(0.87, _pacing.LearnedRateFactor, 9);

        // Ten more minutes would reach 1.07: held at 95 % of the pace that drew the 429.
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(_pacing.Recover(Now));
        Assert.Equal(0.95, _pacing.LearnedRateFactor, 9);

        // Once that 429 is old news, recovery tests the full rate again.
        _time.Advance(_policy.RateProbeAfter);
        Assert.True(_pacing.Recover(Now));
        Assert.Equal(1.0, _pacing.LearnedRateFactor);
        Assert.Equal(60 * 0.98 / 60, _pacing.Requests(Now).RatePerSecond, 12);
    }

    [Fact]
    public void Reset_forgets_what_429s_taught_and_keeps_the_level()
    {
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);

        _pacing.Reset(Now);

        Assert.Equal((1.0, 1.0), (_pacing.LearnedRateFactor, _pacing.LearnedCeiling));
        Assert.Equal(new BucketLevel(0, 54, 0.98), _pacing.Requests(Now));
    }

    [Fact]
    public void A_refund_gives_back_the_tokens_of_a_call_that_never_left()
    {
        _pacing.Take(4, Now);
        Assert.Equal((53, 536), (_pacing.Requests(Now).Tokens, _pacing.Images(Now).Tokens));

        _pacing.Refund(4, Now);
        Assert.Equal((54, 540), (_pacing.Requests(Now).Tokens, _pacing.Images(Now).Tokens));
    }

    [Fact]
    public void After_a_breaker_closes_the_pace_ramps_up_over_the_window_instead_of_snapping_back()
    {
        var full = _pacing.Requests(Now).RatePerSecond;
        var third = _policy.RecoveryRamp / 3;

        _pacing.StartRamp(Now);
        Assert.Equal(0.1 * full, _pacing.Requests(Now).RatePerSecond, 12);
        Assert.Equal(Math.Floor(6 * 0.9), _pacing.Requests(Now).Capacity);

        foreach (var (after, share) in new[] { (third - TimeSpan.FromSeconds(1), 0.1), (third, 0.25), (third * 2, 0.5), (_policy.RecoveryRamp, 1.0) })
        {
            _pacing.Ramp(Now + after);
            Assert.Equal(share * full, _pacing.Requests(Now + after).RatePerSecond, 12);
        }

        Assert.False(_pacing.Ramp(Now + (_policy.RecoveryRamp * 2)));
        Assert.Equal(1.0, _pacing.RampFactor);
    }

    [Fact]
    public void Reset_ends_a_ramp()
    {
        _pacing.StartRamp(Now);

        _pacing.Reset(Now);

        Assert.Equal((1.0, 0.98), (_pacing.RampFactor, _pacing.Requests(Now).RatePerSecond));
    }
}
