using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>The one eligibility rule, table by table: each rule alone, every pair in order, and the probes.</summary>
public sealed class EligibilityTests
{
    private const string Model = "m";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The rules in the order they are applied, each with how to break it and what it answers.</summary>
    private static readonly Rule[] Rules =
    [
        new("removed", "account", s => s.Account = null, DenyReason.Removed, null),
        new("disabled", "account", s => s.Account = s.Account is null ? null : s.Account with { Enabled = false }, DenyReason.Disabled, null),
        new("draining", "draining", s => s.Facts = s.Facts with { Draining = true }, DenyReason.Draining, null),
        new("model not served", "models", s => s.Account = s.Account is null ? null : s.Account with { Models = ["other"] }, DenyReason.ModelNotServed, null),
        new("401 exclusion", "exclusions", s => s.Exclude(ModelExclusion.AllModels, Now.AddMinutes(1)), DenyReason.Unauthorized, null),
        new("model exclusion", "exclusions", s => s.Exclude(Model, Now.AddMinutes(1)), DenyReason.ModelExcluded, null),
        new("breaker open", "breaker", s => s.Facts = s.Facts with { Breaker = BreakerState.Open, BreakerOpenUntil = Now.AddSeconds(30) }, DenyReason.BreakerOpen, Now.AddSeconds(30)),
        new("breaker probe out", "breaker", s => s.Facts = s.Facts with { Breaker = BreakerState.HalfOpen, ProbeInFlight = true }, DenyReason.BreakerOpen, null),
        new("cool-down", "cooldown", s => s.Facts = s.Facts with { CooldownUntil = Now.AddSeconds(10) }, DenyReason.CoolingDown, Now.AddSeconds(10)),
        new("concurrency", "concurrency", s => s.InFlight = 4, DenyReason.Concurrency, null),
        new("too large", "images", s => s.Images = new BucketLevel(0.5, 0.5, 1), DenyReason.TooLarge, null),
        new("empty bucket", "requests", s => s.Requests = new BucketLevel(0.5, 10, 0.25), DenyReason.RateLimited, Now.AddSeconds(2)),
    ];

    public static TheoryData<string> RuleNames => [.. Rules.Select(r => r.Name)];

    public static TheoryData<string, string> OrderedPairs
    {
        get
        {
            var pairs = new TheoryData<string, string>();
            for (var i = 0; i < Rules.Length; i++)
            {
                for (var j = i + 1; j < Rules.Length; j++)
                {
                    // Two ways of breaking the same fact (breaker open vs its probe out) cannot both hold.
                    if (Rules[i].Fact != Rules[j].Fact || Rules[i].Fact is "account" or "exclusions")
                    {
                        pairs.Add(Rules[i].Name, Rules[j].Name);
                    }
                }
            }

            return pairs;
        }
    }

    [Fact]
    public void A_healthy_account_with_tokens_is_eligible_and_no_probe()
    {
        Assert.Equal(EligibilityVerdict.Eligible, Evaluate(new Scenario()));
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Each_rule_alone_refuses_with_its_reason_and_retry_time(string name)
    {
        var rule = Rules.Single(r => r.Name == name);
        var scenario = new Scenario();
        rule.Break(scenario);

        var verdict = Evaluate(scenario);

        Assert.Equal((rule.Reason, rule.RetryAt), (verdict.Reason, verdict.RetryAt));
    }

    [Theory]
    [MemberData(nameof(OrderedPairs))]
    public void Of_two_broken_rules_the_earlier_one_answers(string earlier, string later)
    {
        var first = Rules.Single(r => r.Name == earlier);
        var second = Rules.Single(r => r.Name == later);
        var scenario = new Scenario();
        second.Break(scenario);
        first.Break(scenario);

        Assert.Equal(first.Reason, Evaluate(scenario).Reason);
    }

    [Fact]
    public void An_exclusion_due_for_recheck_lets_one_probe_through()
    {
        var scenario = new Scenario();
        scenario.Exclude(Model, Now);

        Assert.Equal(new EligibilityVerdict(DenyReason.None, null, Model), Evaluate(scenario));
    }

    [Fact]
    public void An_exclusion_probe_never_goes_out_during_a_cool_down()
    {
        // The old copy returned "probe" as soon as the recheck time had come and never looked at the cool-down.
        var scenario = new Scenario();
        scenario.Exclude(Model, Now.AddMinutes(-1));
        scenario.Facts = scenario.Facts with { CooldownUntil = Now.AddSeconds(10) };

        Assert.Equal(new EligibilityVerdict(DenyReason.CoolingDown, Now.AddSeconds(10)), Evaluate(scenario));
    }

    [Theory]
    [InlineData("concurrency")]
    [InlineData("empty bucket")]
    [InlineData("cool-down")]
    public void A_probe_of_either_kind_waits_for_the_later_rules(string name)
    {
        var rule = Rules.Single(r => r.Name == name);
        var scenario = new Scenario();
        scenario.Exclude(ModelExclusion.AllModels, Now);
        scenario.Facts = scenario.Facts with { Breaker = BreakerState.Open, BreakerOpenUntil = Now };
        rule.Break(scenario);

        Assert.Equal(rule.Reason, Evaluate(scenario).Reason);
    }

    [Theory]
    [InlineData(BreakerState.Open)]
    [InlineData(BreakerState.HalfOpen)]
    public void A_breaker_whose_open_time_ended_lets_one_probe_through(BreakerState state)
    {
        var scenario = new Scenario();
        scenario.Facts = scenario.Facts with { Breaker = state, BreakerOpenUntil = Now };

        Assert.Equal(new EligibilityVerdict(DenyReason.None, null, null, BreakerProbe: true), Evaluate(scenario));
    }

    [Fact]
    public void Without_a_model_the_per_model_rules_are_skipped()
    {
        var scenario = new Scenario();
        scenario.Exclude(Model, Now.AddMinutes(1));
        scenario.Account = scenario.Account! with { Models = ["other"] };

        Assert.Equal(DenyReason.None, Eligibility.Evaluate(scenario.Input, model: null, images: 1, Now).Reason);
        scenario.Exclude(ModelExclusion.AllModels, Now.AddMinutes(1));
        Assert.Equal(DenyReason.Unauthorized, Eligibility.Evaluate(scenario.Input, model: null, images: 1, Now).Reason);
    }

    [Fact]
    public void The_image_bucket_is_asked_for_every_image_of_the_request()
    {
        var scenario = new Scenario { Images = new BucketLevel(2, 10, 0.5) };

        Assert.Equal(DenyReason.None, Eligibility.Evaluate(scenario.Input, Model, 2, Now).Reason);
        Assert.Equal(new EligibilityVerdict(DenyReason.RateLimited, Now.AddSeconds(6)), Eligibility.Evaluate(scenario.Input, Model, 5, Now));
        Assert.Equal(DenyReason.TooLarge, Eligibility.Evaluate(scenario.Input, Model, 11, Now).Reason);
    }

    [Fact]
    public void A_low_request_leaves_headroom_in_the_buckets_for_live_traffic_but_never_more_than_they_hold()
    {
        var low = Eligibility.HeadroomFor(RequestPriority.Low);
        var scenario = new Scenario { Images = new BucketLevel(1.5, 10, 0.5) };

        Assert.Equal(DenyReason.None, Eligibility.Evaluate(scenario.Input, Model, 1, Now, Eligibility.HeadroomFor(RequestPriority.Normal)).Reason);
        Assert.Equal(new EligibilityVerdict(DenyReason.RateLimited, Now.AddSeconds(1)), Eligibility.Evaluate(scenario.Input, Model, 1, Now, low));
        scenario.Requests = new BucketLevel(1.25, 10, 0.25);
        Assert.Equal(new EligibilityVerdict(DenyReason.RateLimited, Now.AddSeconds(3)), Eligibility.Evaluate(scenario.Input, Model, 1, Now, low));

        // A bucket of one token cannot keep headroom: the low request fits, as before, and is never "too large".
        var small = new Scenario { Requests = new BucketLevel(1, 1, 1), Images = new BucketLevel(1, 1, 1) };
        Assert.Equal(DenyReason.None, Eligibility.Evaluate(small.Input, Model, 1, Now, low).Reason);
    }

    [Fact]
    public void A_snapshot_projected_forward_has_refilled_at_its_rate_up_to_capacity()
    {
        var level = new BucketLevel(0, 10, 0.5);

        Assert.Equal(2, level.After(TimeSpan.FromSeconds(4)).Tokens, 9);
        Assert.Equal(10, level.After(TimeSpan.FromMinutes(5)).Tokens, 9);
        Assert.Equal(TimeSpan.Zero, new BucketLevel(0, 0, 0).TimeUntil(1));
    }

    private static EligibilityVerdict Evaluate(Scenario scenario) => Eligibility.Evaluate(scenario.Input, Model, 1, Now);

    private sealed record Rule(string Name, string Fact, Action<Scenario> Break, DenyReason Reason, DateTimeOffset? RetryAt);

    private sealed class Scenario
    {
        public UpstreamAccount? Account { get; set; } = new() { Id = "a", Models = [Model], MaxConcurrency = 4 };

        public EligibilityFacts Facts { get; set; } = EligibilityFacts.None;

        public int InFlight { get; set; }

        public BucketLevel Requests { get; set; } = new(10, 10, 1);

        public BucketLevel Images { get; set; } = new(10, 10, 1);

        public EligibilityInput Input => new() { Account = Account, Facts = Facts, InFlight = InFlight, Requests = Requests, Images = Images };

        public void Exclude(string model, DateTimeOffset recheckAt) =>
            Facts = Facts with { Exclusions = new Dictionary<string, DateTimeOffset>(Facts.Exclusions, StringComparer.OrdinalIgnoreCase) { [model] = recheckAt } };
    }
}
