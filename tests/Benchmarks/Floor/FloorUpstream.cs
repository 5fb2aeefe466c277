using System.Net.Http.Headers;

namespace ImageOrleans.Benchmarks.Floor;

/// <summary>
/// The floor's only upstream call: POST the client's body, return the answer's bytes. Off the grain's scheduler
/// (ConfigureAwait(false)), so one account grain does not serialise every response it reads.
/// </summary>
public sealed class FloorUpstream(Uri generations, string apiKey) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });

    public async Task<byte[]> PostAsync(byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, generations) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();
}
