using ImageOrleans.Grains.Persistence;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Persistence;

public sealed class WriteBehindTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<(int Failures, TimeSpan Backoff)> _failures = [];

    [Fact]
    public async Task Nothing_is_written_while_clean()
    {
        var writes = new WriteBehind(_time, Interval, TimeSpan.FromMinutes(1));
        var calls = 0;

        Assert.True(await writes.FlushAsync(_ => { calls++; return Task.CompletedTask; }, Failed, force: false, CancellationToken.None));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task A_failed_write_keeps_the_state_dirty_and_backs_off_doubling_to_the_ceiling()
    {
        var writes = new WriteBehind(_time, Interval, TimeSpan.FromSeconds(30));
        var store = new FailingStore(failFirst: 4);
        writes.MarkDirty();

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            Assert.False(await writes.FlushAsync(store.WriteAsync, Failed, force: false, CancellationToken.None));
            Assert.True(writes.Dirty);

            // Backing off: a periodic flush does not even try.
            Assert.False(await writes.FlushAsync(store.WriteAsync, Failed, force: false, CancellationToken.None));
            Assert.Equal(attempt, store.Calls);
            _time.Advance(_failures[^1].Backoff);
        }

        Assert.Equal([5, 10, 20, 30], _failures.Select(f => (int)f.Backoff.TotalSeconds));
        Assert.Equal([1, 2, 3, 4], _failures.Select(f => f.Failures));

        Assert.True(await writes.FlushAsync(store.WriteAsync, Failed, force: false, CancellationToken.None));
        Assert.False(writes.Dirty);
        Assert.Equal(0, writes.Failures);
        Assert.Equal(1, store.Written);
    }

    [Fact]
    public async Task A_forced_write_ignores_the_back_off()
    {
        var writes = new WriteBehind(_time, Interval, TimeSpan.FromMinutes(1));
        var store = new FailingStore(failFirst: 1);
        writes.MarkDirty();

        Assert.False(await writes.FlushAsync(store.WriteAsync, Failed, force: false, CancellationToken.None));
        Assert.True(await writes.FlushAsync(store.WriteAsync, Failed, force: true, CancellationToken.None));
        Assert.False(writes.Dirty);
    }

    [Fact]
    public async Task A_change_made_while_a_write_is_under_way_stays_dirty()
    {
        var writes = new WriteBehind(_time, Interval, TimeSpan.FromMinutes(1));
        writes.MarkDirty();

        Assert.True(await writes.FlushAsync(_ => { writes.MarkDirty(); return Task.CompletedTask; }, Failed, force: false, CancellationToken.None));
        Assert.True(writes.Dirty);
    }

    private void Failed(Exception exception, int failures, TimeSpan backoff) => _failures.Add((failures, backoff));

    private sealed class FailingStore(int failFirst)
    {
        public int Calls { get; private set; }

        public int Written { get; private set; }

        public Task WriteAsync(CancellationToken cancellationToken)
        {
            if (++Calls <= failFirst)
            {
                throw new InvalidOperationException("storage down");
            }

            Written++;
            return Task.CompletedTask;
        }
    }
}
