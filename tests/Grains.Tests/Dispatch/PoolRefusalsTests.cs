using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>When waiting for the pool can help a request, and when it cannot.</summary>
public sealed class PoolRefusalsTests
{
    private const string Model = "m";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Deadline = Now.AddSeconds(60);

    [Fact]
    public void Every_breaker_open_past_the_deadline_leaves_nothing_to_wait_for_and_the_first_probe_time_to_come_back_at()
    {
        var refusals = new PoolRefusals();
        refusals.Add(DenyReason.BreakerOpen, Now.AddSeconds(90), null, Model);
        refusals.Add(DenyReason.BreakerOpen, Now.AddSeconds(75), null, Model);
        refusals.Add(DenyReason.Disabled, null, null, Model);

        var attempt = refusals.ToAttempt();

        Assert.Equal((Now.AddSeconds(75), Now.AddSeconds(75)), (attempt.UnavailableUntil, attempt.NextProbe));
        Assert.True(attempt.Hopeless(Deadline));
        Assert.False(attempt.Hopeless(Now.AddSeconds(80)));
    }

    [Fact]
    public void A_breaker_whose_probe_time_comes_before_the_deadline_is_worth_waiting_for()
    {
        var refusals = new PoolRefusals();
        refusals.Add(DenyReason.BreakerOpen, Now.AddSeconds(30), null, Model);

        Assert.False(refusals.ToAttempt().Hopeless(Deadline));
    }

    [Theory]
    [InlineData(DenyReason.Concurrency, null)]
    [InlineData(DenyReason.RateLimited, 600)]
    [InlineData(DenyReason.CoolingDown, 600)]
    [InlineData(DenyReason.ReservedForAnotherSilo, 1)]
    [InlineData(DenyReason.BreakerOpen, null)]
    public void One_account_that_is_only_busy_keeps_the_request_waiting(DenyReason reason, int? seconds)
    {
        // A full bucket or a 429 cool-down is what the queue is for, however long; an open breaker
        // without a time has its probe out, which may report success at any moment.
        var refusals = new PoolRefusals();
        refusals.Add(DenyReason.BreakerOpen, Now.AddMinutes(5), null, Model);
        refusals.Add(reason, seconds is { } s ? Now.AddSeconds(s) : null, null, Model);

        var attempt = refusals.ToAttempt();

        Assert.Null(attempt.UnavailableUntil);
        Assert.False(attempt.Hopeless(Deadline));
        Assert.True(attempt.AnyTemporary);
    }

    [Fact]
    public void Accounts_out_for_good_are_unavailable_for_ever_and_an_exclusion_recheck_is_the_time_to_come_back()
    {
        var refusals = new PoolRefusals();
        refusals.Add(DenyReason.Unauthorized, null, Facts((ModelExclusion.AllModels, DateTimeOffset.MaxValue)), Model);
        refusals.Add(DenyReason.ModelExcluded, null, Facts((Model, Now.AddMinutes(15)), ("other", Now.AddMinutes(1))), Model);

        var attempt = refusals.ToAttempt();

        Assert.Equal((DateTimeOffset.MaxValue, Now.AddMinutes(15)), (attempt.UnavailableUntil, attempt.NextProbe));
        Assert.False(attempt.AnyTemporary);
        Assert.True(attempt.Hopeless(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void A_busy_refusal_known_only_from_a_cached_view_is_looked_at_again_when_that_view_goes_stale()
    {
        var refusals = new PoolRefusals();
        refusals.Add(DenyReason.Concurrency, null, null, Model, lookAgainAt: Now.AddSeconds(1));
        refusals.Add(DenyReason.RateLimited, Now.AddSeconds(3), null, Model, lookAgainAt: Now.AddSeconds(5));

        Assert.Equal(Now.AddSeconds(1), refusals.ToAttempt().EarliestRetry);
    }

    private static EligibilityFacts Facts(params (string Key, DateTimeOffset RecheckAt)[] exclusions) => new()
    {
        Exclusions = exclusions.ToDictionary(e => e.Key, e => e.RecheckAt),
    };
}
