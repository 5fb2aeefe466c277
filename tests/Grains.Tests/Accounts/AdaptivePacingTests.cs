using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>Pacing without a cluster: configured and advertised limits, windows, learning from 429s, recovery.</summary>
public sealed class AdaptivePacingTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

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
    public void Paces_just_under_the_configured_limit_with_a_burst_of_one_call()
    {
        // One call (the bucket also keeps 100 ms of refill, so that a call taken a moment late loses nothing).
        AssertLevel(_pacing.Requests(Now), 1, 1, 0.995);

        // The image bucket holds the largest request (ten images), no more than the burst share beyond it.
        AssertLevel(_pacing.Images(Now), 10, 10, 9.95);
    }

    [Fact]
    public void A_small_image_limit_still_holds_the_largest_request_it_allows()
    {
        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 60, ImagesPerMinute = 11 }, Now);
        Assert.Equal(10, _pacing.Images(Now).Capacity);

        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 60, ImagesPerMinute = 4 }, Now);
        Assert.Equal(4, _pacing.Images(Now).Capacity);
    }

    [Fact]
    public void A_fresh_account_taking_all_it_is_given_never_sends_more_than_its_limit_in_any_minute()
    {
        // The old buckets (90 % burst + a minute's refill) sent 107 in the first minute of a 60/min account.
        var sent = TakeGreedily(images: 1, TimeSpan.FromMinutes(3));

        Assert.InRange(MostInAnyWindow(sent, TimeSpan.FromMinutes(1)), 59, 60);
        Assert.InRange(sent.Count(t => t < Start + TimeSpan.FromMinutes(1)), 59, 60);
    }

    [Fact]
    public void Requests_of_ten_images_still_keep_every_minute_within_the_image_limit()
    {
        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 600, ImagesPerMinute = 65 }, Now);

        var sent = TakeGreedily(images: 10, TimeSpan.FromMinutes(3));

        // The bucket alone would let the ten-image burst and a minute's refill through: 70 images.
        Assert.Equal(6, MostInAnyWindow(sent, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void After_a_cool_down_the_waiting_calls_resume_at_the_pace_not_together()
    {
        var cooldown = _pacing.OnRateLimited(TimeSpan.FromSeconds(40), new RateLimitInfo { RemainingRequests = 0 }, _pacing.Version, Now);
        Assert.Equal(TimeSpan.FromSeconds(40), cooldown);
        _time.Advance(cooldown);

        var sent = TakeGreedily(images: 1, TimeSpan.FromSeconds(10));

        Assert.Equal(1, MostInAnyWindow(sent, TimeSpan.FromSeconds(1)));
        Assert.InRange(sent.Count, 8, 10);
    }

    [Fact]
    public void A_burst_refusal_of_a_short_window_spreads_calls_evenly_at_the_same_pace()
    {
        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 600, ImagesPerMinute = 600 }, Now);
        Assert.Equal(3, _pacing.Requests(Now).Capacity);
        var version = _pacing.Version;

        // 600 a minute counted as 10 a second: the window was full for another 200 ms.
        var cooldown = _pacing.OnRateLimited(TimeSpan.FromMilliseconds(200),
            new RateLimitInfo { LimitRequests = 600, RemainingRequests = 0, ResetRequests = TimeSpan.FromMilliseconds(200) }, version, Now);

        Assert.Equal(TimeSpan.FromMilliseconds(200), cooldown);
        Assert.Equal((1.0, 1), (_pacing.LearnedRateFactor, _pacing.ShortWindowSeconds));
        AssertLevel(_pacing.Requests(Now), 0, 1, 9.95);
        _time.Advance(cooldown);
        var sent = TakeGreedily(images: 1, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1));
        Assert.Equal(10, MostInAnyWindow(sent, TimeSpan.FromSeconds(1)));
        Assert.InRange(sent.Count, 290, 299);
    }

    [Fact]
    public void A_success_that_shows_a_short_window_full_is_learned_without_waiting_for_a_429()
    {
        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 60, RemainingRequests = 0, ResetRequests = TimeSpan.FromMilliseconds(400) }, Now);

        Assert.Equal(1, _pacing.ShortWindowSeconds);
        Assert.Equal(1, _pacing.Requests(Now).Capacity);
        Assert.Equal(1.0, _pacing.LearnedRateFactor);
    }

    [Fact]
    public void A_success_that_leaves_a_bucket_empty_is_no_short_window()
    {
        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 60, RemainingRequests = 0, ResetRequests = TimeSpan.FromSeconds(59.5) }, Now);

        Assert.Null(_pacing.ShortWindowSeconds);
    }

    [Fact]
    public void A_longer_short_window_spreads_its_share_over_that_window()
    {
        _pacing.OnRateLimited(null, new RateLimitInfo { RemainingRequests = 0, ResetRequests = TimeSpan.FromSeconds(9.2) }, _pacing.Version, Now);

        Assert.Equal(10, _pacing.ShortWindowSeconds);
        Assert.Equal(0.995, _pacing.Requests(Now).RatePerSecond, 12);
        Assert.Equal(1.0, _pacing.LearnedRateFactor);
    }

    [Theory]
    [InlineData(1, 59.0)]    // a bucket or a minute's window, empty: full again only in most of a minute
    [InlineData(3, 0.2)]     // a short window, but three calls were still left: not what refused it
    public void A_429_that_is_no_burst_refusal_slows_down(int remaining, double resetSeconds)
    {
        _pacing.OnRateLimited(null, new RateLimitInfo { RemainingRequests = remaining, ResetRequests = TimeSpan.FromSeconds(resetSeconds) }, _pacing.Version, Now);

        Assert.Equal(0.85, _pacing.LearnedRateFactor);
        Assert.Null(_pacing.ShortWindowSeconds);
    }

    [Fact]
    public void An_advertised_lower_limit_is_believed_at_once_with_what_it_says_is_left()
    {
        var version = _pacing.Version;

        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 30, RemainingRequests = 0 }, Now);

        AssertLevel(_pacing.Requests(Now), 0, 1, 30 * 0.995 / 60);
        Assert.Equal(1.0, _pacing.LearnedRateFactor);
        Assert.Equal(version + 1, _pacing.Version);
    }

    [Fact]
    public void A_remaining_figure_without_a_new_limit_does_not_lower_the_level()
    {
        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 60, RemainingRequests = 0 }, Now);
        _time.Advance(TimeSpan.FromSeconds(2));
        _pacing.OnSuccess(new RateLimitInfo { LimitRequests = 60, RemainingRequests = 0 }, Now);

        // The first success taught the limit (the configured one) and the level; the second changes nothing.
        Assert.Equal(1, _pacing.Requests(Now).Tokens, 9);
    }

    [Fact]
    public void A_429_at_the_current_pace_slows_down_empties_the_buckets_and_cools_down()
    {
        var cooldown = _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);

        Assert.Equal(_policy.DefaultRateLimitCooldown, cooldown);
        Assert.Equal((0.85, 1.0, Now), (_pacing.LearnedRateFactor, _pacing.LearnedCeiling, _pacing.LastRateLimitedAt));
        AssertLevel(_pacing.Requests(Now), 0, 1, 51 * 0.995 / 60);
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
        _pacing.OnRateLimited(null, new RateLimitInfo { LimitRequests = 20, RemainingRequests = 0, ResetRequests = TimeSpan.FromSeconds(60) }, _pacing.Version, Now);

        Assert.Equal(1.0, _pacing.LearnedRateFactor);
        Assert.Equal(20 * 0.995 / 60, _pacing.Requests(Now).RatePerSecond, 12);
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
    public void Recovery_climbs_back_in_seconds_to_just_under_the_failing_pace_then_probes_past_it_later()
    {
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);

        _time.Advance(_policy.RateRecoveryInterval - TimeSpan.FromMilliseconds(1));
        Assert.False(_pacing.Recover(Now));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(_pacing.Recover(Now));
        Assert.Equal(0.85 + ((0.95 - 0.85) / 2), _pacing.LearnedRateFactor, 9);

        // Halfway each interval, all the way once within a point: at 95 % of the failing pace in 20 s.
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(_policy.RateRecoveryInterval);
            _pacing.Recover(Now);
        }

        Assert.Equal(0.95, _pacing.LearnedRateFactor, 9);
        _time.Advance(_policy.RateRecoveryInterval);
        Assert.False(_pacing.Recover(Now));

        // Once that 429 is old news, recovery tests the full rate again.
        _time.Advance(_policy.RateProbeAfter);
        Assert.True(_pacing.Recover(Now));
        for (var i = 0; i < 2; i++)
        {
            _time.Advance(_policy.RateRecoveryInterval);
            Assert.True(_pacing.Recover(Now));
        }

        Assert.Equal(1.0, _pacing.LearnedRateFactor);
        Assert.Equal(60 * 0.995 / 60, _pacing.Requests(Now).RatePerSecond, 12);
    }

    [Fact]
    public void A_second_429_before_the_first_is_old_news_steps_the_ceiling_down_so_recovery_stays_below_it()
    {
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(_policy.RateRecoveryInterval);
            _pacing.Recover(Now);
        }

        Assert.Equal(0.95, _pacing.LearnedRateFactor, 9);

        // Recovery was back within 5 % of the failing pace and failed again: the limit is lower still.
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);
        Assert.Equal(0.95 * 0.85, _pacing.LearnedRateFactor, 9);
        Assert.Equal(0.85, _pacing.LearnedCeiling, 9);
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(_policy.RateRecoveryInterval);
            _pacing.Recover(Now);
        }

        Assert.True(_pacing.LearnedRateFactor <= 0.85 * 0.95 + 1e-9, $"recovery stays under the lowered ceiling ({_pacing.LearnedRateFactor})");

        // A third steps it down again.
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);
        Assert.Equal(0.85 * 0.85, _pacing.LearnedCeiling, 9);
    }

    [Fact]
    public void A_hidden_lower_limit_is_measured_between_two_429s_and_they_stop()
    {
        // The upstream refills 30 a minute (half the configured 60) into a bucket of a minute's worth, full at the start, and says nothing.
        var (upstream, upstreamAt) = (30.0, Now);
        var refusedAt = new List<DateTimeOffset>();
        var accepted = new List<DateTimeOffset>();
        var coolUntil = Now;
        for (var end = Now + TimeSpan.FromMinutes(8); Now < end; _time.Advance(Step))
        {
            _pacing.Recover(Now);
            upstream = Math.Min(30, upstream + ((Now - upstreamAt).TotalSeconds * 0.5));
            upstreamAt = Now;
            while (Now >= coolUntil && _pacing.Requests(Now).TimeUntil(1) == TimeSpan.Zero && _pacing.Images(Now).TimeUntil(1) == TimeSpan.Zero)
            {
                var version = _pacing.Version;
                _pacing.Take(1, Now);
                if (upstream >= 1)
                {
                    upstream--;
                    accepted.Add(Now);
                    continue;
                }

                refusedAt.Add(Now);
                coolUntil = Now + _pacing.OnRateLimited(null, RateLimitInfo.None, version, Now);
            }
        }

        // The bucket is spent after about two minutes; the second 429 measures the refill, and there it ends.
        Assert.InRange(refusedAt.Count, 2, 3);
        Assert.True(refusedAt[^1] - refusedAt[0] < TimeSpan.FromSeconds(30), $"429s at {string.Join(", ", refusedAt.Select(t => (t - Start).TotalSeconds))} s");

        // Meanwhile the account keeps serving just under the real limit: over the last three minutes, 27 to 30 a minute.
        Assert.InRange(accepted.Count(t => t >= Now - TimeSpan.FromMinutes(3)), 81, 90);
    }

    [Fact]
    public void After_a_restart_the_first_429_measures_nothing_from_calls_it_never_counted()
    {
        // The account's grain came back with what the last 429 taught, but not the calls sent before it stopped.
        _pacing.Restore(0.85, 1.0, Now);
        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 60, ImagesPerMinute = 600 }, Now);
        _time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 6; i++)
        {
            _pacing.Take(1, Now);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // Six calls counted in 36 s would read as a tenth of the limit: only the ×0.85 step applies.
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);
        Assert.Equal(0.85 * 0.85, _pacing.LearnedRateFactor, 9);
    }

    [Fact]
    public void Reset_forgets_what_429s_taught_and_keeps_the_level()
    {
        _pacing.OnRateLimited(null, RateLimitInfo.None, _pacing.Version, Now);

        _pacing.Reset(Now);

        Assert.Equal((1.0, 1.0), (_pacing.LearnedRateFactor, _pacing.LearnedCeiling));
        AssertLevel(_pacing.Requests(Now), 0, 1, 0.995);
    }

    [Fact]
    public void A_refund_gives_back_the_tokens_and_the_window_room_of_a_call_that_never_left()
    {
        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 600, ImagesPerMinute = 12 }, Now);
        _pacing.Take(10, Now);
        Assert.Equal(0, _pacing.Requests(Now).Tokens, 9);
        Assert.Equal(0, _pacing.Images(Now).Tokens);

        // Twenty seconds refill 20 × 12 × 0.995 / 60 image tokens, but the minute's window leaves room for 2.
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(2, _pacing.Images(Now).Tokens, 9);

        _pacing.Refund(10, Now);
        Assert.Equal(3, _pacing.Requests(Now).Tokens, 9);
        Assert.Equal(10, _pacing.Images(Now).Tokens);
    }

    [Fact]
    public void After_a_breaker_closes_the_pace_ramps_up_over_the_window_instead_of_snapping_back()
    {
        var full = _pacing.Requests(Now).RatePerSecond;
        var third = _policy.RecoveryRamp / 3;

        _pacing.StartRamp(Now);
        Assert.Equal(0.1 * full, _pacing.Requests(Now).RatePerSecond, 12);
        Assert.Equal(1, _pacing.Requests(Now).Capacity);

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

        Assert.Equal(1.0, _pacing.RampFactor);
        Assert.Equal(0.995, _pacing.Requests(Now).RatePerSecond, 12);
    }

    private DateTimeOffset Start { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void While_a_batch_asks_a_live_call_finds_a_token_at_once_and_the_batch_still_runs_at_full_pace()
    {
        var live = 0;
        var lows = new List<DateTimeOffset>();
        var sent = new List<DateTimeOffset>();
        var nextLive = Start + TimeSpan.FromSeconds(30);
        for (var end = Start + TimeSpan.FromMinutes(3); Now < end; _time.Advance(Step))
        {
            _pacing.HoldReserve(lowAsking: true, Now);
            if (Now >= nextLive)
            {
                // Without the reserve the batch has just taken every token: the live call would wait up to a second.
                Assert.Equal(TimeSpan.Zero, Eligibility.BucketWait(_pacing.Requests(Now), _pacing.Images(Now), 1, headroom: 0));
                _pacing.Take(1, Now);
                sent.Add(Now);
                live++;
                nextLive += TimeSpan.FromSeconds(7.3);
            }

            while (Eligibility.BucketWait(_pacing.Requests(Now), _pacing.Images(Now), 1, Eligibility.HeadroomFor(RequestPriority.Low)) == TimeSpan.Zero)
            {
                _pacing.Take(1, Now);
                lows.Add(Now);
                sent.Add(Now);
            }
        }

        sent.Sort();
        Assert.True(live >= 20, $"{live} live calls");
        Assert.InRange(MostInAnyWindow(sent, TimeSpan.FromMinutes(1)), 58, 60);

        // Nothing lost to the reserve: from the second minute on, live and batch together use the whole pace (0.995/s).
        Assert.InRange(sent.Count(t => t >= Start + TimeSpan.FromMinutes(1)), 118, 120);
        Assert.True(lows.Count(t => t >= Start + TimeSpan.FromMinutes(1)) >= 118 - live, $"{lows.Count} low calls");
    }

    [Fact]
    public void The_live_reserve_goes_a_minute_after_the_last_low_call_asked()
    {
        var before = _pacing.Requests(Now).Capacity;
        Assert.True(_pacing.HoldReserve(lowAsking: true, Now));
        Assert.Equal(before + Eligibility.LowPriorityHeadroom, _pacing.Requests(Now).Capacity, 9);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(_pacing.HoldReserve(lowAsking: false, Now));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_pacing.HoldReserve(lowAsking: false, Now));
        Assert.Equal(before, _pacing.Requests(Now).Capacity, 9);
    }

    [Fact]
    public void A_small_limit_keeps_no_live_reserve_so_a_batch_alone_is_not_slowed()
    {
        // At 6 a minute a reserved call would be a sixth of the limit (and at 1 a minute lows would never go).
        _pacing.Configure(new UpstreamAccount { Id = "a", RequestsPerMinute = 6, ImagesPerMinute = 6 }, Now);
        var before = _pacing.Requests(Now).Capacity;

        _pacing.HoldReserve(lowAsking: true, Now);

        Assert.Equal(before, _pacing.Requests(Now).Capacity, 9);
        Assert.Equal(TimeSpan.Zero, Eligibility.BucketWait(_pacing.Requests(Now), _pacing.Images(Now), 1, Eligibility.HeadroomFor(RequestPriority.Low)));
    }

    private static void AssertLevel(BucketLevel actual, double tokens, double capacity, double ratePerSecond)
    {
        Assert.Equal(tokens, actual.Tokens, 9);
        Assert.Equal(capacity, actual.Capacity);
        Assert.Equal(ratePerSecond, actual.RatePerSecond, 9);
    }

    /// <summary>Takes a call of <paramref name="images"/> whenever pacing allows one, every 10 ms (or <paramref name="step"/>), as a saturated pool would.</summary>
    private List<DateTimeOffset> TakeGreedily(int images, TimeSpan duration, TimeSpan? step = null)
    {
        var sent = new List<DateTimeOffset>();
        for (var end = Now + duration; Now < end; _time.Advance(step ?? Step))
        {
            while (_pacing.Requests(Now).TimeUntil(1) == TimeSpan.Zero && _pacing.Images(Now).TimeUntil(images) == TimeSpan.Zero)
            {
                _pacing.Take(images, Now);
                sent.Add(Now);
            }
        }

        return sent;
    }

    /// <summary>The most calls any window of <paramref name="window"/> holds (each call counted in every window that contains it).</summary>
    private static int MostInAnyWindow(List<DateTimeOffset> sent, TimeSpan window)
    {
        var most = 0;
        for (int first = 0, last = 0; last < sent.Count; last++)
        {
            while (sent[last] - sent[first] >= window)
            {
                first++;
            }

            most = Math.Max(most, last - first + 1);
        }

        return most;
    }
}
