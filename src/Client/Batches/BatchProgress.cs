using System.Globalization;
using Spectre.Console;

namespace ImageOrleans.Client.Batches;

/// <summary>Follows a batch until it ends: a live progress bar on a terminal, else a plain line whenever the counts change.</summary>
internal static class BatchProgress
{
    public static async Task<BatchState> FollowAsync(
        IAnsiConsole console, BatchState state, Func<string, Task<BatchState>> read, TimeSpan interval, Func<BatchState, Task> progressed, CancellationToken cancellationToken)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(Describe(state), maxValue: Math.Max(1, state.Total));
                    while (!state.IsFinal)
                    {
                        await Task.Delay(interval, cancellationToken);
                        state = await read(state.Id);
                        await progressed(state);
                        task.MaxValue = Math.Max(1, state.Total);
                        task.Value = state.Done;
                        task.Description = Describe(state);
                    }

                    task.Value = task.MaxValue;
                });
            return state;
        }

        var started = DateTimeOffset.UtcNow;
        var last = "";
        while (true)
        {
            var line = Line(state, started);
            if (line != last)
            {
                console.WriteLine(line);
                last = line;
            }

            if (state.IsFinal)
            {
                return state;
            }

            await Task.Delay(interval, cancellationToken);
            state = await read(state.Id);
            await progressed(state);
        }
    }

    private static string Describe(BatchState s) =>
        Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{s.Status}{(s.Paused ? " (paused: budget)" : "")} · {s.Completed} done · {s.Failed} failed · {s.CacheHits} cached · ${s.SpentUsd:0.####}"));

    private static string Line(BatchState s, DateTimeOffset started)
    {
        var elapsed = DateTimeOffset.UtcNow - started;
        var eta = s.Done > 0 && s.Total > s.Done && !s.IsFinal
            ? string.Create(CultureInfo.InvariantCulture, $" eta {Math.Ceiling(elapsed.TotalSeconds / s.Done * (s.Total - s.Done))}s")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{s.Id} {s.Status}{(s.Paused ? " paused (budget)" : "")}: {s.Done}/{s.Total} done, {s.Completed} completed, {s.Failed} failed, {s.CacheHits} cache hits, ${s.SpentUsd:0.####} spent{eta}");
    }
}
