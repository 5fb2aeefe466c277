using Orleans.Concurrency;

namespace ImageOrleans.Benchmarks.Floor;

[StatelessWorker]
[Reentrant]
public sealed class FloorWorkerGrain(IGrainFactory grains) : Grain, IFloorWorkerGrain
{
    public Task<byte[]> GenerateAsync(byte[] body) => grains.GetGrain<IFloorAccountGrain>(0).SendAsync(body);
}
