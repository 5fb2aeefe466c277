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
    public void Figures_without_a_limit_teach_nothing()
    {
        var detector = new SharedLimitDetector();

        for (var i = 0; i < 40; i++)
        {
            Assert.Null(detector.Observe(i % 2 == 0 ? "a" : "b", Start + TimeSpan.FromSeconds(i * 0.5), new RateLimitInfo { RemainingRequests = 40 - i }));
        }
    }

    [Fact]
    public void A_report_older_than_every_kept_sample_is_dropped_without_failing()
    {
        var detector = new SharedLimitDetector();
        var info = new RateLimitInfo { LimitRequests = 600, RemainingRequests = 300 };
        for (var i = 1; i <= 64; i++)
        {
            Assert.Null(detector.Observe("a", Start + TimeSpan.FromMilliseconds(i), info));
        }

        // Reports arrive in the order calls end, not the order they were granted: under load one granted
        // before all 64 kept ones comes last. It used to throw (index out of range) inside the outcome report.
        Assert.Null(detector.Observe("a", Start, info));
        Assert.Null(detector.Observe("a", Start + TimeSpan.FromMilliseconds(65), info));
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
