using System.Collections.Concurrent;
using ImageOrleans.Grains.Calls;
using ImageOrleans.Grains.Tests.Infrastructure;

namespace ImageOrleans.Grains.Tests.Calls;

/// <summary>At most one call per target in flight; what arrives meanwhile goes together, in order, in the next.</summary>
public sealed class CoalescedCallsTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<(string Target, int[] Items, TaskCompletionSource Done)> _calls = new();
    private readonly SemaphoreSlim _called = new(0);

    [Fact]
    public async Task An_idle_target_gets_its_item_at_once_and_a_busy_one_gets_the_items_that_waited_in_one_call()
    {
        var failures = new List<(string, int)>();
        var calls = new CoalescedCalls<int>(SendAsync, (target, count, _) => failures.Add((target, count)));

        calls.Add("a", 1);
        var first = await NextCallAsync();
        Assert.Equal("a:1", Show(first));

        // While "a" has a call in flight its items wait; another target is not held up by it.
        calls.Add("a", 2);
        calls.Add("a", 3);
        calls.Add("b", 9);
        var other = await NextCallAsync();
        Assert.Equal("b:9", Show(other));
        other.Done.SetResult();

        first.Done.SetResult();
        var second = await NextCallAsync();
        Assert.Equal("a:2,3", Show(second));

        // A failed call is reported and loses only its own items; the next item goes out.
        second.Done.SetException(new InvalidOperationException("the grain is gone"));
        calls.Add("a", 4);
        var third = await NextCallAsync();
        Assert.Equal("a:4", Show(third));
        third.Done.SetResult();
        Assert.Equal([("a", 2)], failures);
    }

    [Fact]
    public async Task A_long_queue_goes_in_batches_of_the_largest_size_and_idle_targets_are_forgotten()
    {
        var failures = new ConcurrentBag<Exception>();
        var calls = new CoalescedCalls<int>(SendAsync, (_, _, ex) => failures.Add(ex), maxBatch: 2);

        calls.Add("t", 0);
        var first = await NextCallAsync();
        for (var i = 1; i <= 5; i++)
        {
            calls.Add("t", i);
        }

        first.Done.SetResult();
        var batches = new List<int[]>();
        for (var i = 0; i < 3; i++)
        {
            var call = await NextCallAsync();
            batches.Add(call.Items);
            call.Done.SetResult();
        }

        Assert.Equal([[1, 2], [3, 4], [5]], batches);
        Assert.Empty(failures);
        await Eventually.TrueAsync(() => calls.Busy == 0, "the idle target's lane is gone");
    }

    public void Dispose() => _called.Dispose();

    private static string Show((string Target, int[] Items, TaskCompletionSource Done) call) => $"{call.Target}:{string.Join(',', call.Items)}";

    private Task SendAsync(string target, IReadOnlyList<int> items)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls.Enqueue((target, items.ToArray(), done));
        _called.Release();
        return done.Task;
    }

    private async Task<(string Target, int[] Items, TaskCompletionSource Done)> NextCallAsync()
    {
        Assert.True(await _called.WaitAsync(Within), "a call was made");
        Assert.True(_calls.TryDequeue(out var call));
        return call;
    }
}
