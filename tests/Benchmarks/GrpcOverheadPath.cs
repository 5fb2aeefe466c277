using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using ImageOrleans.Grpc.V1;

namespace ImageOrleans.Benchmarks;

/// <summary><c>imageorleans.v1.Images/Generate</c> over HTTP/2, answered with the image bytes.</summary>
public sealed class GrpcOverheadPath(string name, GrpcChannel channel, string key, bool bypassCacheOnMiss = false) : OverheadPath(name)
{
    private readonly Images.ImagesClient _client = new(channel);
    private readonly Metadata _auth = new() { { "authorization", "Bearer " + key } };
    private readonly Metadata _authNoCache = new() { { "authorization", "Bearer " + key }, { "cache-control", "no-cache" } };

    public override bool Caches => true;

    public override async Task<TimeSpan?> SendAsync(string prompt, bool expectHit)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await _client.GenerateAsync(
                new GenerateRequest { Model = OverheadBenchmark.Model, Prompt = prompt, Quality = "low", Size = "1024x1024" },
                bypassCacheOnMiss && !expectHit ? _authNoCache : _auth);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return !expectHit || response.Cache == "hit" ? elapsed : null;
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
