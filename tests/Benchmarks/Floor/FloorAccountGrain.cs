using Orleans.Concurrency;

namespace ImageOrleans.Benchmarks.Floor;

[Reentrant]
public sealed class FloorAccountGrain(FloorUpstream upstream) : Grain, IFloorAccountGrain
{
    public Task<byte[]> SendAsync(byte[] body) => upstream.PostAsync(body);
}
