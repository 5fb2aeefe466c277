using System.Collections.Concurrent;

namespace ImageOrleans.Grains.Images;

/// <summary>
/// The answers this silo's front doors are sending. Work behind an answer (storing its images, then the cache
/// entry that points at them) waits until the answer is out rather than compete with it for the cores: on a
/// two-core silo a file write started as the answer left took a core from its sending and added about a
/// millisecond to what its client waited.
/// </summary>
public sealed class AnswersBeingSent
{
    private readonly ConcurrentDictionary<Guid, Sending> _sending = new();
    private long _begun;

    /// <summary>How many answers are being sent now.</summary>
    public int Count => _sending.Count;

    /// <summary>How many answers were marked since the silo started.</summary>
    public long Begun => Interlocked.Read(ref _begun);

    /// <summary>Marks an answer as being sent until the handle is disposed, once the response has been sent.</summary>
    public Sending Begin()
    {
        var sending = new Sending(this, Guid.NewGuid());
        _sending[sending.Id] = sending;
        Interlocked.Increment(ref _begun);
        return sending;
    }

    /// <summary>Completes when answer <paramref name="id"/> has been sent; complete already for one this silo is not sending.</summary>
    public Task WhenSent(Guid id) => id != Guid.Empty && _sending.TryGetValue(id, out var sending) ? sending.Sent : Task.CompletedTask;

    /// <summary>One answer being sent; disposing it says the answer is out (or will never be).</summary>
    public sealed class Sending : IDisposable
    {
        private readonly AnswersBeingSent _owner;

        // Only the image writer's own thread waits for this: completing it wakes that thread and runs nothing else.
        private readonly TaskCompletionSource _sent = new();

        internal Sending(AnswersBeingSent owner, Guid id) => (_owner, Id) = (owner, id);

        public Guid Id { get; }

        internal Task Sent => _sent.Task;

        public void Dispose()
        {
            _owner._sending.TryRemove(Id, out _);
            _sent.TrySetResult();
        }
    }
}
