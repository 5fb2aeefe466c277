namespace ImageOrleans.Testing;

public static class Wait
{
    /// <summary>Polls until <paramref name="condition"/> holds, or fails after <paramref name="within"/> saying what was expected.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string expectation)
    {
        using var limit = new CancellationTokenSource(within);
        while (!await condition())
        {
            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {within.TotalSeconds:0} s waiting until {expectation}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, CancellationToken.None);
        }
    }
}
