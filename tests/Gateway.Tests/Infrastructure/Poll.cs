namespace ImageOrleans.Gateway.Tests.Infrastructure;

public static class Poll
{
    /// <summary>Reads until <paramref name="done"/> holds for what was read, or fails after 20 s saying what was expected.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string expectation)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after 20 s waiting for {expectation}; last read: {value}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, CancellationToken.None);
        }
    }

    /// <summary>Checks every 10 ms until <paramref name="condition"/> holds, or fails after 30 s saying what was expected.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string expectation)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.False(limit.IsCancellationRequested, $"Timed out waiting until {expectation}.");
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, CancellationToken.None);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string expectation) => UntilAsync(() => Task.FromResult(condition()), expectation);
}
