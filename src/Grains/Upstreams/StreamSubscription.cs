using System.Threading.Channels;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>The front door's end of one relayed stream; disposing it stops the relay for that id.</summary>
public sealed class StreamSubscription(string streamId, ChannelReader<RelayedEvent> reader, Action remove) : IDisposable
{
    public string StreamId => streamId;

    public ChannelReader<RelayedEvent> Reader => reader;

    public void Dispose() => remove();
}
