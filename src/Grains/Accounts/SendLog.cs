namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// What an account sent in the last window (a minute plus a small guard), so that no window of that
/// length ever holds more than the limit, whatever the buckets allow after a reconfiguration, a
/// multi-image request or a restored level. Sends within <see cref="Slot"/> of each other share one
/// entry, dated by the latest of them: an entry leaves the window no earlier than its last send.
/// </summary>
public sealed class SendLog(TimeSpan window)
{
    private static readonly TimeSpan Slot = TimeSpan.FromMilliseconds(100);

    private readonly LinkedList<Entry> _entries = new();
    private double _sum;

    public TimeSpan Window { get; } = window;

    /// <summary>What was sent in the window ending at <paramref name="now"/>.</summary>
    public double Sum(DateTimeOffset now)
    {
        Expire(now);
        return _sum;
    }

    public void Add(double amount, DateTimeOffset now)
    {
        if (_entries.Last is { } last && now - last.Value.First < Slot)
        {
            last.Value = last.Value with { Last = Max(now, last.Value.Last), Amount = last.Value.Amount + amount };
        }
        else
        {
            _entries.AddLast(new Entry(now, now, amount));
        }

        _sum += amount;
    }

    /// <summary>Takes back a send that never reached the upstream, from the newest entries (which leave last).</summary>
    public void Remove(double amount, DateTimeOffset now)
    {
        Expire(now);
        while (amount > 0 && _entries.Last is { } last)
        {
            var taken = Math.Min(amount, last.Value.Amount);
            amount -= taken;
            _sum -= taken;
            if (taken >= last.Value.Amount)
            {
                _entries.RemoveLast();
            }
            else
            {
                last.Value = last.Value with { Amount = last.Value.Amount - taken };
            }
        }

        _sum = Math.Max(0, _sum);
    }

    /// <summary>
    /// How long until <paramref name="amount"/> more fits under <paramref name="limit"/>; zero when it
    /// fits now, <see cref="TimeSpan.MaxValue"/> when it never can.
    /// </summary>
    public TimeSpan TimeUntilRoom(double amount, double limit, DateTimeOffset now)
    {
        if (amount > limit)
        {
            return TimeSpan.MaxValue;
        }

        var excess = Sum(now) + amount - limit;
        if (excess <= 1e-9)
        {
            return TimeSpan.Zero;
        }

        foreach (var entry in _entries)
        {
            excess -= entry.Amount;
            if (excess <= 1e-9)
            {
                return entry.Last + Window - now;
            }
        }

        return Window;
    }

    private void Expire(DateTimeOffset now)
    {
        while (_entries.First is { } first && first.Value.Last + Window <= now)
        {
            _sum -= first.Value.Amount;
            _entries.RemoveFirst();
        }

        if (_entries.Count == 0)
        {
            _sum = 0;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private readonly record struct Entry(DateTimeOffset First, DateTimeOffset Last, double Amount);
}
