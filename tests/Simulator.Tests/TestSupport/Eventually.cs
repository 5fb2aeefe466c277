using System.Diagnostics;
using Xunit.Sdk;

namespace ImageOrleans.Simulator.Tests.TestSupport;

/// <summary>Polls a condition that another thread will make true, failing with what was expected after a bound.</summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task HoldsAsync(Func<bool> condition, string expectation, TimeSpan? timeout = null)
    {
        var bound = timeout ?? DefaultTimeout;
        var stopwatch = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (!condition())
        {
            if (stopwatch.Elapsed > bound)
            {
                throw new XunitException($"Expected within {bound.TotalSeconds}s: {expectation}");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}
