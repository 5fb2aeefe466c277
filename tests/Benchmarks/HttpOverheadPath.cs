using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ImageOrleans.Benchmarks;

/// <summary>POST /v1/images/generations with JSON, as an OpenAI SDK sends it.</summary>
public sealed class HttpOverheadPath(string name, HttpClient http, Uri url, string key, bool caches, bool bypassCacheOnMiss = false) : OverheadPath(name)
{
    public override bool Caches => caches;

    /// <summary>The same path, filling the cache even when misses are measured without it.</summary>
    public HttpOverheadPath WithCache() => new(Name, http, url, key, caches);

    public override async Task<TimeSpan?> SendAsync(string prompt, bool expectHit)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { model = OverheadBenchmark.Model, prompt, quality = "low", size = "1024x1024" }),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (bypassCacheOnMiss && !expectHit)
        {
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started);
            var hitOk = !expectHit || (response.Headers.TryGetValues("x-imageorleans-cache", out var cache) && cache.Single() == "hit");
            return response.IsSuccessStatusCode && hitOk ? elapsed : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
