namespace ImageOrleans.Grains.Queueing;

/// <summary>
/// The waiters of one client key within one priority class, served first in, first out. Flows share
/// capacity by deficit round robin: each turn adds the key's weight to its deficit, each served
/// request costs its image count.
/// </summary>
internal sealed class Flow(string clientKeyId, double weight)
{
    public string ClientKeyId { get; } = clientKeyId;

    public double Weight { get; set; } = weight;

    public double Deficit { get; set; }

    /// <summary>True from the start of its turn until its deficit runs out or it empties.</summary>
    public bool InTurn { get; set; }

    public LinkedList<Waiter> Waiters { get; } = new();

    public LinkedListNode<Flow>? ActiveNode { get; set; }
}
