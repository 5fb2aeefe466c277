using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>Two accounts whose remaining-requests figures move together share a limit; two that merely drain alike do not.</summary>
public sealed class SharedLimitDetectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Two_keys_drawing_on_one_counter_are_reported_once()
    {
        var detector = new SharedLimitDetector();
        var counter = new UpstreamCounter(limit: 30);
        var found = new List<(string, string)>();

        // a and b take turns every half second on one limit of 30 a minute: it drains by 1.5 a second.
        for (var i = 0; i < 40; i++)
        {
            var (account, at) = (i % 2 == 0 ? "a" : "b", Start + TimeSpan.FromSeconds(i * 0.5));
            if (detector.Observe(account, at, counter.Call(at)) is { } other)
            {
                found.Add((account, other));
            }
        }

        Assert.Single(found);
        Assert.Contains(found[0], new[] { ("a", "b"), ("b", "a") });
    }

    [Fact]
    public void Two_keys_with_their_own_limits_draining_in_step_are_not()
    {
        var detector = new SharedLimitDetector();
        var (a, b) = (new UpstreamCounter(limit: 30), new UpstreamCounter(limit: 30));

        // The same pattern of calls, each on its own limit: both drain by half a call a second, in step.
        for (var i = 0; i < 200; i++)
        {
            var at = Start + TimeSpan.FromSeconds(i * 0.5);
            var reported = i % 2 == 0 ? detector.Observe("a", at, a.Call(at)) : detector.Observe("b", at, b.Call(at));
            Assert.Null(reported);
        }
    }

    [Fact]
    public void Saturated_keys_whose_counters_hover_near_empty_are_not()
    {
        var detector = new SharedLimitDetector();

        // Twenty keys each at its own limit, counters pinned at 0; every other call of each is still in
        // flight when the next is reported, so its own calls between two reports look like one.
        for (var i = 0; i < 400; i++)
        {
            var info = new RateLimitInfo { LimitRequests = 60, RemainingRequests = 0 };
            Assert.Null(detector.Observe($"k{i % 20}", Start + TimeSpan.FromSeconds(i * 0.1), info));
        }
    }

    [Fact]
    public void A_slow_call_reporting_after_a_full_history_of_later_ones_is_dropped_not_thrown()
    {
        var detector = new SharedLimitDetector();
        var info = new RateLimitInfo { LimitRequests = 600, RemainingRequests = 300 };
        for (var i = 1; i <= 100; i++)
        {
            detector.Observe("a", Start + TimeSpan.FromSeconds(i), info);
        }

        // A call granted before every kept sample (a 60 s call on a busy account) reports last. It threw
        // out of range once, which failed the whole outcome report and left its lease to expire.
        Assert.Null(detector.Observe("a", Start, info));
        Assert.Null(detector.Observe("a", Start + TimeSpan.FromSeconds(101), info));
    }

    [Fact]
    public void Figures_without_a_limit_teach_nothing()
    {
        var detector = new SharedLimitDetector();

        for (var i = 0; i < 40; i++)
        {
            Assert.Null(detector.Observe(i % 2 == 0 ? "a" : "b", Start + TimeSpan.FromSeconds(i * 0.5), new RateLimitInfo { RemainingRequests = 40 - i }));
        }
    }

    /// <summary>An upstream's per-minute bucket as OpenAI counts it, reporting what is left after each call.</summary>
    private sealed class UpstreamCounter(int limit)
    {
        private double _tokens = limit;
        private DateTimeOffset _at = Start;

        public RateLimitInfo Call(DateTimeOffset at)
        {
            _tokens = Math.Min(limit, _tokens + (limit * (at - _at).TotalSeconds / 60.0)) - 1;
            _at = at;
            return new RateLimitInfo { LimitRequests = limit, RemainingRequests = (int)Math.Floor(_tokens) };
        }
    }
}
