using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Queueing;

/// <summary>One request waiting in a silo's queue for an account to grant it a lease.</summary>
internal sealed class Waiter(GenerationJob job, IReadOnlySet<string> excluded, long sequence, DateTimeOffset enqueuedAt)
{
    public GenerationJob Job { get; } = job;

    public IReadOnlySet<string> Excluded { get; } = excluded;

    /// <summary>Arrival order across the whole queue: the largest is the most recent.</summary>
    public long Sequence { get; } = sequence;

    public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

    /// <summary>Images this request needs: its cost in fair queuing.</summary>
    public int Cost => Job.Request.N;

    public TaskCompletionSource<Acquisition> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set while the pump asks an account for a lease on this waiter's behalf.</summary>
    public bool Attempting { get; set; }

    /// <summary>Answered (lease, error, cancellation or deadline); it no longer counts towards the queue.</summary>
    public bool Done { get; set; }

    public Flow Flow { get; set; } = null!;

    public LinkedListNode<Waiter>? Node { get; set; }

    public ITimer? DeadlineTimer { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }
}
