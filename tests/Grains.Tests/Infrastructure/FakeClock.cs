using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Infrastructure;

/// <summary>Moves a fake clock on until work that waits on it completes.</summary>
public static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="pending"/> completes
    /// (bounded: 200 steps, each waiting at most 50 ms of real time for the work to react). One step is not
    /// always enough: a simulated upstream counts a call in flight a moment before it arms its latency timer.
    /// </summary>
    public static async Task<T> AdvanceUntilAsync<T>(this FakeTimeProvider time, TimeSpan step, Task<T> pending)
    {
        for (var i = 0; i < 200 && !pending.IsCompleted; i++)
        {
            time.Advance(step);
            await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System));
        }

        Assert.True(pending.IsCompleted, $"the work waiting on the clock did not complete after {200 * step.TotalSeconds:0} s of fake time");
        return await pending;
    }
}
