using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Queueing;

/// <summary>
/// The waiting requests of one silo, and the order in which they get capacity: strict priority
/// classes (high, normal, low); within a class, client keys share by weight through deficit round
/// robin, each key's own requests first in, first out. Bounded: an arrival to a full queue displaces
/// the most recent waiter of a lower class, or is refused. Every operation is synchronous under one
/// lock; nothing here waits for an account. The pump walks a <em>pass</em>: <see cref="Next"/> names
/// the waiter whose turn it is, and the pump reports how asking the pool for it went.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the fair queue of the design; it is no collection type.")]
public sealed class FairQueue(int depth)
{
    // Look past a blocked head (a model with no room) for a request the key could still run, but
    // not arbitrarily far: a key's own order mostly holds.
    private const int Lookahead = 32;

    private readonly Lock _lock = new();
    private readonly PriorityClass[] _classes = [new(RequestPriority.High), new(RequestPriority.Normal), new(RequestPriority.Low)];
    private readonly HashSet<(string Model, int Images)> _blocked = [];
    private long _sequence;
    private int _count;

    // Where the current pass stands.
    private long _pass;
    private DateTimeOffset? _lookAgainAt;
    private int _class;
    private LinkedListNode<Flow>? _node;
    private int _unproductive;

    /// <summary>Requests waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    public int CountAt(RequestPriority priority)
    {
        lock (_lock)
        {
            return _classes[(int)priority].Count;
        }
    }

    /// <summary>Whether anyone of <paramref name="priority"/> or more urgent waits: then a newcomer queues behind them.</summary>
    public bool AnyAtOrAbove(RequestPriority priority)
    {
        lock (_lock)
        {
            for (var p = 0; p <= (int)priority; p++)
            {
                if (_classes[p].Count > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Requests and images waiting at <paramref name="priority"/> or above: what a newcomer waits behind.</summary>
    public (int Requests, int Images) AheadOf(RequestPriority priority)
    {
        lock (_lock)
        {
            var (requests, images) = (0, 0);
            for (var p = 0; p <= (int)priority; p++)
            {
                requests += _classes[p].Count;
                images += _classes[p].Images;
            }

            return (requests, images);
        }
    }

    /// <summary>
    /// Queues a request. When the queue is full, the most recent waiter of the lowest class below
    /// the newcomer's makes room (and is returned as <c>Displaced</c>); with none, <c>Admitted</c> is null.
    /// </summary>
    public (Waiter? Admitted, Waiter? Displaced) Enqueue(GenerationJob job, IReadOnlySet<string> excluded, DateTimeOffset now)
    {
        lock (_lock)
        {
            Waiter? displaced = null;
            if (_count >= depth)
            {
                displaced = LatestBelow(job.Priority);
                if (displaced is null)
                {
                    return (null, null);
                }

                RemoveLocked(displaced);
            }

            var waiter = new Waiter(job, excluded, ++_sequence, now);
            var priorityClass = _classes[(int)job.Priority];
            if (!priorityClass.Flows.TryGetValue(job.ClientKeyId, out var flow))
            {
                flow = new Flow(job.ClientKeyId, job.Weight);
                priorityClass.Flows.Add(job.ClientKeyId, flow);
            }

            flow.Weight = job.Weight;
            waiter.Flow = flow;
            waiter.Node = flow.Waiters.AddLast(waiter);
            flow.ActiveNode ??= priorityClass.Active.AddLast(flow);
            priorityClass.Count++;
            priorityClass.Images += waiter.Cost;
            _count++;
            return (waiter, displaced);
        }
    }

    /// <summary>Takes a waiter out (answered, cancelled, expired); false if it was already out.</summary>
    public bool Remove(Waiter waiter)
    {
        lock (_lock)
        {
            return RemoveLocked(waiter);
        }
    }

    /// <summary>Takes out every waiter whose deadline has passed.</summary>
    public IReadOnlyList<Waiter> RemoveExpired(DateTimeOffset now)
    {
        lock (_lock)
        {
            var expired = All().Where(w => w.Job.Deadline <= now).ToList();
            expired.ForEach(w => RemoveLocked(w));
            return expired;
        }
    }

    /// <summary>The earliest deadline of anyone waiting.</summary>
    public DateTimeOffset? NextDeadline()
    {
        lock (_lock)
        {
            return _count == 0 ? null : All().Min(w => w.Job.Deadline);
        }
    }

    /// <summary>Takes out everyone (the silo stops).</summary>
    public IReadOnlyList<Waiter> RemoveAll()
    {
        lock (_lock)
        {
            var all = All().ToList();
            all.ForEach(w => RemoveLocked(w));
            return all;
        }
    }

    /// <summary>Starts a pass over the queue: classes in priority order, flows in deficit round robin.</summary>
    public void BeginPass()
    {
        lock (_lock)
        {
            _blocked.Clear();
            _lookAgainAt = null;
            _pass++;
            (_class, _node, _unproductive) = (0, null, 0);
        }
    }

    /// <summary>
    /// The waiter whose turn it is in this pass, or null when the pass is over: every class was
    /// served until each of its flows in a row could do nothing. A model that had no room for one
    /// waiter is skipped for the rest of the pass, so a lower class never takes capacity a higher
    /// one was refused. The waiter is marked as being attempted until the pump reports on it.
    /// </summary>
    public Waiter? Next()
    {
        lock (_lock)
        {
            while (_class < _classes.Length)
            {
                var priorityClass = _classes[_class];
                if (_node?.List is null)
                {
                    // At the start of a class, or the flow emptied and left the list: from the front.
                    _node = priorityClass.Active.First;
                }

                if (_node is null || _unproductive >= priorityClass.Active.Count)
                {
                    (_class, _node, _unproductive) = (_class + 1, null, 0);
                    continue;
                }

                var flow = _node.Value;
                if (!flow.InTurn)
                {
                    flow.InTurn = true;
                    flow.Deficit += Math.Max(flow.Weight, 0.01);
                }

                var waiter = NextEligible(flow);
                var next = _node.Next ?? priorityClass.Active.First;
                if (waiter is null)
                {
                    if (flow.Waiters.Count == 0)
                    {
                        RetireFlow(priorityClass, flow);
                    }
                    else
                    {
                        _unproductive++;
                    }

                    _node = ReferenceEquals(next, _node) ? priorityClass.Active.First : next;
                    continue;
                }

                if (waiter.Cost > flow.Deficit)
                {
                    // Out of deficit: the turn ends and the flow goes to the back; its deficit grows
                    // with every turn until its request fits.
                    flow.InTurn = false;
                    priorityClass.Active.Remove(_node);
                    priorityClass.Active.AddLast(_node);
                    _node = ReferenceEquals(next, _node) ? priorityClass.Active.First : next;
                    continue;
                }

                waiter.Attempting = true;
                return waiter;
            }

            return null;
        }
    }

    /// <summary>
    /// The pool granted <paramref name="waiter"/> a lease: its flow pays for it and it leaves the
    /// queue. False when it had already left (cancelled or expired meanwhile): give the lease back.
    /// </summary>
    public bool Granted(Waiter waiter)
    {
        lock (_lock)
        {
            waiter.Attempting = false;
            waiter.Flow.Deficit -= waiter.Cost;
            _unproductive = 0;
            return RemoveLocked(waiter);
        }
    }

    /// <summary>
    /// No account has room for <paramref name="waiter"/> before <paramref name="until"/> (null: not
    /// known); it is not asked about again in this pass. Its model counts as full for the rest of the
    /// pass and the turn moves on; unless the waiter avoids some accounts: then the ones it avoids may
    /// have room for the requests behind it, and its key's turn goes on with the next of them.
    /// </summary>
    public void Blocked(Waiter waiter, DateTimeOffset? until)
    {
        lock (_lock)
        {
            waiter.Attempting = false;
            waiter.RefusedInPass = _pass;
            if (until is { } at && (_lookAgainAt is null || at < _lookAgainAt))
            {
                _lookAgainAt = at;
            }

            if (waiter.Excluded.Count > 0)
            {
                return;
            }

            _blocked.Add((waiter.Job.Request.Model, waiter.Cost));
            _unproductive++;
            if (_class < _classes.Length)
            {
                _node = _node?.List is null ? _classes[_class].Active.First : _node.Next ?? _classes[_class].Active.First;
            }
        }
    }

    /// <summary>
    /// No account can serve <paramref name="refused"/>'s model before <paramref name="until"/>
    /// (<see cref="DateTimeOffset.MaxValue"/>: not by itself). Takes out, and returns, whoever that
    /// answer holds for and whose deadline comes first: the refused waiter, and when it avoided no
    /// account, every waiter of its model asking for as many images or more (more images, or fewer
    /// accounts to choose from, never make a request easier to serve).
    /// </summary>
    public IReadOnlyList<Waiter> RemoveUnservable(Waiter refused, DateTimeOffset until)
    {
        lock (_lock)
        {
            refused.Attempting = false;
            var model = refused.Job.Request.Model;
            var unservable = refused.Excluded.Count > 0
                ? [.. All().Where(w => ReferenceEquals(w, refused) && w.Job.Deadline <= until)]
                : All().Where(w => (ReferenceEquals(w, refused) || !w.Attempting)
                    && w.Job.Deadline <= until
                    && w.Cost >= refused.Cost
                    && string.Equals(w.Job.Request.Model, model, StringComparison.Ordinal)).ToList();
            unservable.ForEach(w => RemoveLocked(w));
            return unservable;
        }
    }

    /// <summary>The earliest time anyone refused in this pass may find room: when to look next.</summary>
    public DateTimeOffset? EndPass()
    {
        lock (_lock)
        {
            return _lookAgainAt;
        }
    }

    private IEnumerable<Waiter> All() => _classes.SelectMany(c => c.Flows.Values).SelectMany(f => f.Waiters);

    private bool RemoveLocked(Waiter waiter)
    {
        if (waiter.Done)
        {
            return false;
        }

        waiter.Done = true;
        waiter.Attempting = false;
        var flow = waiter.Flow;
        var priorityClass = _classes[(int)waiter.Job.Priority];
        if (waiter.Node is not null)
        {
            flow.Waiters.Remove(waiter.Node);
            waiter.Node = null;
        }

        priorityClass.Count--;
        priorityClass.Images -= waiter.Cost;
        _count--;
        if (flow.Waiters.Count == 0)
        {
            RetireFlow(priorityClass, flow);
        }

        return true;
    }

    private static void RetireFlow(PriorityClass priorityClass, Flow flow)
    {
        if (flow.ActiveNode is not null)
        {
            priorityClass.Active.Remove(flow.ActiveNode);
            flow.ActiveNode = null;
        }

        flow.Deficit = 0;
        flow.InTurn = false;
        priorityClass.Flows.Remove(flow.ClientKeyId);
    }

    /// <summary>The most recent waiter of the lowest class below <paramref name="priority"/>: the one a more urgent arrival displaces.</summary>
    private Waiter? LatestBelow(RequestPriority priority)
    {
        for (var p = _classes.Length - 1; p > (int)priority; p--)
        {
            Waiter? latest = null;
            foreach (var flow in _classes[p].Active)
            {
                for (var node = flow.Waiters.Last; node is not null; node = node.Previous)
                {
                    if (!node.Value.Attempting)
                    {
                        if (latest is null || node.Value.Sequence > latest.Sequence)
                        {
                            latest = node.Value;
                        }

                        break;
                    }
                }
            }

            if (latest is not null)
            {
                return latest;
            }
        }

        return null;
    }

    private Waiter? NextEligible(Flow flow)
    {
        var seen = 0;
        for (var node = flow.Waiters.First; node is not null && seen < Lookahead; node = node.Next, seen++)
        {
            var candidate = node.Value;
            var model = candidate.Job.Request.Model;
            if (candidate.RefusedInPass != _pass && !_blocked.Contains((model, candidate.Cost)) && !_blocked.Contains((model, 1)))
            {
                return candidate;
            }
        }

        return null;
    }
}
