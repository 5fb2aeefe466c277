using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Queueing;

/// <summary>The flows of one priority class, in round-robin order.</summary>
internal sealed class PriorityClass(RequestPriority priority)
{
    public RequestPriority Priority { get; } = priority;

    public Dictionary<string, Flow> Flows { get; } = new(StringComparer.Ordinal);

    /// <summary>Flows with waiters; the first one's turn comes next.</summary>
    public LinkedList<Flow> Active { get; } = new();

    /// <summary>Waiters not yet answered.</summary>
    public int Count { get; set; }

    public int Images { get; set; }
}
