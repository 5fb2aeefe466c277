using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Queueing;

/// <summary>
/// The fair queue on its own, no cluster: a pool simulated by a count of grants per pass, so each
/// test reads as "this much capacity came; who got it".
/// </summary>
public sealed class FairQueueTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> NoneExcluded = new HashSet<string>();

    private readonly FairQueue _queue = new(depth: 8);

    [Fact]
    public void Waiters_are_served_in_order_of_priority()
    {
        Add("low-1", priority: RequestPriority.Low);
        Add("normal-1");
        Add("high-1", priority: RequestPriority.High);
        Add("normal-2");
        Add("high-2", priority: RequestPriority.High);

        Assert.Equal(["high-1", "high-2", "normal-1", "normal-2", "low-1"], Serve(5));
    }

    [Fact]
    public void Two_keys_of_equal_weight_alternate_however_they_arrived()
    {
        foreach (var tenant in (string[])["a", "b"])
        {
            for (var i = 1; i <= 4; i++)
            {
                Add($"{tenant}{i}", tenant);
            }
        }

        Assert.Equal(["a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4"], Serve(8));
    }

    [Fact]
    public void Capacity_is_shared_by_weight_and_by_images()
    {
        for (var i = 1; i <= 4; i++)
        {
            Add($"heavy{i}", "heavy", weight: 2);
        }

        Add("light1", "light");
        Add("light2", "light");

        Assert.Equal(["heavy1", "heavy2", "light1", "heavy3", "heavy4", "light2"], Serve(6));
    }

    [Fact]
    public void A_request_for_many_images_waits_until_its_key_has_earned_them()
    {
        Add("big", "big", n: 3);
        Add("s1", "small");
        Add("s2", "small");
        Add("s3", "small");

        // Deficit round robin: the big request costs three turns of its key.
        Assert.Equal(["s1", "s2", "big", "s3"], Serve(4));
    }

    [Fact]
    public void A_model_without_room_is_skipped_for_the_rest_of_the_pass_and_nobody_below_takes_its_capacity()
    {
        Add("high-full", priority: RequestPriority.High, model: "full");
        Add("normal-full", model: "full");
        Add("normal-free", "other", model: "free");

        _queue.BeginPass();
        var first = _queue.Next()!;
        Assert.Equal("high-full", first.Job.Request.Prompt);
        _queue.Blocked(first, Now.AddSeconds(3));

        // The normal request for the same model is not even tried; another model's is.
        var second = _queue.Next()!;
        Assert.Equal("normal-free", second.Job.Request.Prompt);
        Assert.True(_queue.Granted(second));
        Assert.Null(_queue.Next());
        Assert.Equal(Now.AddSeconds(3), _queue.EndPass());
        Assert.Equal(2, _queue.Count);
    }

    [Fact]
    public void A_full_queue_displaces_the_latest_less_urgent_waiter_or_refuses()
    {
        for (var i = 0; i < 6; i++)
        {
            Add($"normal {i}");
        }

        var low1 = Add("low 1", priority: RequestPriority.Low);
        var low2 = Add("low 2", priority: RequestPriority.Low);

        var (admitted, displaced) = _queue.Enqueue(Job("normal 6"), NoneExcluded, Now);
        Assert.NotNull(admitted);
        Assert.Same(low2, displaced);
        Assert.True(displaced!.Done);

        Assert.Same(low1, _queue.Enqueue(Job("normal 7"), NoneExcluded, Now).Displaced);
        Assert.Equal((null, null), _queue.Enqueue(Job("normal 8"), NoneExcluded, Now));
        Assert.Equal(8, _queue.CountAt(RequestPriority.Normal));
        Assert.Equal((8, 8), _queue.AheadOf(RequestPriority.Normal));
        Assert.Equal((0, 0), _queue.AheadOf(RequestPriority.High));
    }

    [Fact]
    public void A_waiter_being_asked_for_is_not_displaced()
    {
        for (var i = 0; i < 7; i++)
        {
            Add($"normal {i}");
        }

        var low = Add("low", priority: RequestPriority.Low, model: "other");
        _queue.BeginPass();
        _queue.Blocked(_queue.Next()!, null);

        Assert.Same(low, _queue.Next());
        Assert.True(low.Attempting);
        Assert.Equal((null, null), _queue.Enqueue(Job("normal 7"), NoneExcluded, Now));
    }

    [Fact]
    public void Waiters_past_their_deadline_are_taken_out_and_the_next_deadline_is_known()
    {
        var soon = Add("soon", wait: TimeSpan.FromSeconds(10));
        Add("later", wait: TimeSpan.FromSeconds(30));

        Assert.Equal(Now.AddSeconds(10), _queue.NextDeadline());
        Assert.Empty(_queue.RemoveExpired(Now.AddSeconds(9)));
        Assert.Equal([soon], _queue.RemoveExpired(Now.AddSeconds(10)));
        Assert.Equal(Now.AddSeconds(30), _queue.NextDeadline());
        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public void A_waiter_that_left_while_being_asked_for_is_not_granted_twice()
    {
        Add("gone");
        _queue.BeginPass();
        var waiter = _queue.Next()!;

        Assert.True(_queue.Remove(waiter));
        Assert.False(_queue.Granted(waiter));
        Assert.False(_queue.Remove(waiter));
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void Requests_that_avoid_some_accounts_do_not_block_their_model_for_others()
    {
        var avoiding = _queue.Enqueue(Job("avoiding", tenant: "a"), new HashSet<string> { "acct-1" }, Now).Admitted!;
        Add("plain", "b");

        _queue.BeginPass();
        Assert.Same(avoiding, _queue.Next());
        _queue.Blocked(avoiding, null);
        Assert.Equal("plain", _queue.Next()!.Job.Request.Prompt);
    }

    [Fact]
    public void A_request_that_avoids_the_free_account_does_not_hold_up_the_requests_of_its_own_key_behind_it()
    {
        var avoiding = _queue.Enqueue(Job("avoiding"), new HashSet<string> { "acct-1" }, Now).Admitted!;
        Add("plain");

        _queue.BeginPass();
        Assert.Same(avoiding, _queue.Next());
        _queue.Blocked(avoiding, Now.AddSeconds(40));

        // The account it avoids may well have room for the request behind it.
        var plain = _queue.Next();
        Assert.Equal("plain", plain?.Job.Request.Prompt);
        Assert.True(_queue.Granted(plain!));

        // Asked once per pass, and looked at again when its own refusal says.
        Assert.Null(_queue.Next());
        Assert.Equal(Now.AddSeconds(40), _queue.EndPass());
        _queue.BeginPass();
        Assert.Same(avoiding, _queue.Next());
    }

    [Fact]
    public void A_model_nobody_can_serve_until_a_time_lets_go_of_exactly_the_waiters_whose_deadline_comes_first()
    {
        var refused = Add("refused", n: 2, wait: TimeSpan.FromSeconds(30));
        Add("as many images", n: 2, wait: TimeSpan.FromSeconds(45));
        Add("more images", n: 3, wait: TimeSpan.FromSeconds(30));
        var avoiding = _queue.Enqueue(Job("avoiding", n: 2, wait: TimeSpan.FromSeconds(30)), new HashSet<string> { "acct-1" }, Now).Admitted!;
        var fewer = Add("fewer images", n: 1, wait: TimeSpan.FromSeconds(30));
        var later = Add("later deadline", n: 2, wait: TimeSpan.FromSeconds(90));
        var other = Add("other model", n: 2, model: "m2", wait: TimeSpan.FromSeconds(30));

        _queue.BeginPass();
        Assert.Same(refused, _queue.Next());
        var gone = _queue.RemoveUnservable(refused, Now.AddSeconds(60));

        Assert.Equal(["as many images", "avoiding", "more images", "refused"], gone.Select(w => w.Job.Request.Prompt).Order(StringComparer.Ordinal));
        Assert.True(avoiding.Done);
        Assert.Equal((false, false, false), (fewer.Done, later.Done, other.Done));
        Assert.Equal(3, _queue.Count);
    }

    [Fact]
    public void A_request_that_avoids_accounts_speaks_only_for_itself_when_nothing_else_can_serve_it()
    {
        var avoiding = _queue.Enqueue(Job("avoiding", wait: TimeSpan.FromSeconds(30)), new HashSet<string> { "acct-1" }, Now).Admitted!;
        var plain = Add("plain", wait: TimeSpan.FromSeconds(30));

        _queue.BeginPass();
        Assert.Same(avoiding, _queue.Next());

        Assert.Equal([avoiding], _queue.RemoveUnservable(avoiding, DateTimeOffset.MaxValue));
        Assert.False(plain.Done);
        Assert.Same(plain, _queue.Next());
    }

    /// <summary>Runs passes in which the pool grants up to <paramref name="grants"/> leases in all and refuses the rest.</summary>
    private List<string> Serve(int grants)
    {
        var served = new List<string>();
        while (served.Count < grants)
        {
            // One token per pass, as when a bucket refills one request at a time.
            _queue.BeginPass();
            var granted = false;
            while (_queue.Next() is { } waiter)
            {
                if (!granted)
                {
                    Assert.True(_queue.Granted(waiter));
                    served.Add(waiter.Job.Request.Prompt);
                    granted = true;
                }
                else
                {
                    _queue.Blocked(waiter, null);
                }
            }

            _queue.EndPass();
            Assert.True(granted, "someone is served in every pass while waiters remain");
        }

        return served;
    }

    private Waiter Add(string name, string tenant = "tenant", RequestPriority priority = RequestPriority.Normal, double weight = 1.0, int n = 1, string model = "m", TimeSpan? wait = null)
    {
        var (admitted, displaced) = _queue.Enqueue(Job(name, tenant, priority, weight, n, model, wait), NoneExcluded, Now);
        Assert.Null(displaced);
        return admitted!;
    }

    private static GenerationJob Job(string name, string tenant = "tenant", RequestPriority priority = RequestPriority.Normal, double weight = 1.0, int n = 1, string model = "m", TimeSpan? wait = null) =>
        Jobs.For(model, name, Now, tenant, n, priority, weight, wait);
}
