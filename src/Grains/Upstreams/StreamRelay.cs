using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Carries a streaming attempt's events from the upstream client to the front door that waits for them,
/// inside one silo: the front door subscribes under a fresh stream id before the request enters the
/// pipeline, the attempt (on the same silo's dispatcher) publishes under it. An event nobody waits
/// for is dropped; the final image still comes back through the pipeline as for any request.
/// </summary>
public sealed class StreamRelay
{
    private readonly ConcurrentDictionary<string, Channel<RelayedEvent>> _streams = new(StringComparer.Ordinal);

    public StreamSubscription Subscribe(string streamId)
    {
        var channel = Channel.CreateUnbounded<RelayedEvent>(new UnboundedChannelOptions { SingleReader = true });
        _streams[streamId] = channel;
        return new StreamSubscription(streamId, channel.Reader, () => Remove(streamId));
    }

    /// <summary>True when someone waits for <paramref name="streamId"/>.</summary>
    public bool Publish(string? streamId, RelayedEvent streamEvent) =>
        streamId is not null && _streams.TryGetValue(streamId, out var channel) && channel.Writer.TryWrite(streamEvent);

    public bool IsSubscribed(string? streamId) => streamId is not null && _streams.ContainsKey(streamId);

    private void Remove(string streamId)
    {
        if (_streams.TryRemove(streamId, out var channel))
        {
            channel.Writer.TryComplete();
        }
    }
}
