namespace ImageOrleans.Benchmarks.Floor;

/// <summary>The floor's account: one grain that calls the upstream with its HttpClient.</summary>
public interface IFloorAccountGrain : IGrainWithIntegerKey
{
    Task<byte[]> SendAsync(byte[] body);
}
