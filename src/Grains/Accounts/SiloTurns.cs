namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// Silos whose requests an account turned away, oldest first: freed capacity goes to them in turn,
/// so a silo far from the account's grain is not outrun for every token by the silo it lives on.
/// When the oldest waiting silo is not the one asking, the capacity is held for it for a short
/// window (and it is told to come); after that, it loses its turn and the next in line gets it.
/// </summary>
public sealed class SiloTurns<TSilo>(TimeSpan reservation)
    where TSilo : class
{
    private readonly LinkedList<TSilo> _waiting = new();
    private DateTimeOffset? _reservedSince;

    public int Waiting => _waiting.Count;

    /// <summary>A silo was turned away for lack of capacity: it queues for a turn, once.</summary>
    public void TurnedAway(TSilo silo)
    {
        if (!_waiting.Contains(silo))
        {
            _waiting.AddLast(silo);
        }
    }

    /// <summary>
    /// Until when free capacity is held for another silo, or null when <paramref name="asking"/> may
    /// take it. <paramref name="call"/> is the silo to tell that its turn has come, the first time
    /// capacity is held for it.
    /// </summary>
    public DateTimeOffset? HeldFor(TSilo? asking, DateTimeOffset now, out TSilo? call)
    {
        call = null;
        while (_waiting.First is { } oldest && !oldest.Value.Equals(asking))
        {
            if (_reservedSince is null)
            {
                _reservedSince = now;
                call = oldest.Value;
            }

            var until = _reservedSince.Value + reservation;
            if (now < until)
            {
                return until;
            }

            // The oldest did not come (its waiters left, or it is gone): next in line.
            _waiting.RemoveFirst();
            _reservedSince = null;
        }

        return null;
    }

    /// <summary><paramref name="silo"/> took capacity: if it was first in line, its turn is over.</summary>
    public void Took(TSilo? silo)
    {
        if (silo is not null && _waiting.First?.Value.Equals(silo) == true)
        {
            _waiting.RemoveFirst();
        }

        _reservedSince = null;
    }
}
