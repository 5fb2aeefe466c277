namespace ImageOrleans.Grains.Tests.Infrastructure;

/// <summary>Waits for a condition that another thread makes true, with a bounded wait and a message saying what was expected.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string expectation, TimeSpan? within = null, Func<string>? actual = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {expectation}.{(actual is null ? string.Empty : " Actual: " + actual())}");
            }

            // Yield to the threads doing the work; no fixed sleep decides the outcome.
            await Task.Yield();
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, CancellationToken.None);
        }
    }
}
