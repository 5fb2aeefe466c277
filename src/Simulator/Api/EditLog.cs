using System.Collections.Concurrent;

namespace ImageOrleans.Simulator.Api;

/// <summary>The last edits and variations whose parts passed the simulator's checks, so a test can prove what arrived.</summary>
public sealed class EditLog
{
    private const int Capacity = 256;
    private readonly ConcurrentQueue<ReceivedEdit> _edits = new();

    public IReadOnlyList<ReceivedEdit> Received => [.. _edits];

    internal void Add(ReceivedEdit edit)
    {
        _edits.Enqueue(edit);
        while (_edits.Count > Capacity && _edits.TryDequeue(out _))
        {
        }
    }
}
