namespace ImageOrleans.Benchmarks.Floor;

/// <summary>The floor's entry grain: a stateless worker that hands the request to the one account grain.</summary>
public interface IFloorWorkerGrain : IGrainWithIntegerKey
{
    Task<byte[]> GenerateAsync(byte[] body);
}
