using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Queueing;

/// <summary>One request waiting in a silo's queue for an account to grant it a lease.</summary>
public sealed class Waiter
{
    internal Waiter(GenerationJob job, IReadOnlySet<string> excluded, long sequence, DateTimeOffset enqueuedAt)
    {
        Job = job;
        Excluded = excluded;
        Sequence = sequence;
        EnqueuedAt = enqueuedAt;
    }

    public GenerationJob Job { get; }

    /// <summary>Accounts this request must not use (they failed it already).</summary>
    public IReadOnlySet<string> Excluded { get; }

    /// <summary>Arrival order across the whole queue: the largest is the most recent.</summary>
    public long Sequence { get; }

    public DateTimeOffset EnqueuedAt { get; }

    /// <summary>Images this request needs: its cost in fair queuing.</summary>
    public int Cost => Job.Request.N;

    /// <summary>Answered by whoever took it out of the queue.</summary>
    public TaskCompletionSource<Acquisition> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set while the pump asks the pool for a lease on this waiter's behalf: it is not displaced then.</summary>
    public bool Attempting { get; internal set; }

    /// <summary>Out of the queue (leased, refused, cancelled, expired or displaced).</summary>
    public bool Done { get; internal set; }

    /// <summary>The pass of the queue in which the pool last refused it: it is asked about once per pass.</summary>
    internal long RefusedInPass { get; set; }

    internal CancellationTokenRegistration Cancellation { get; set; }

    internal Flow Flow { get; set; } = null!;

    internal LinkedListNode<Waiter>? Node { get; set; }
}
