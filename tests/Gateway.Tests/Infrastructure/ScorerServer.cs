using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// A best-of scorer hook for tests: scores each image by its index (the last candidate is the best), or
/// answers 500 while <see cref="Failing"/> is set. It records the image links it was sent.
/// </summary>
public sealed class ScorerServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _disposed;

    public ScorerServer()
    {
        Url = new Uri($"http://127.0.0.1:{Testing.FreePort.Next()}/score/");

        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public bool Failing { get; set; }

    /// <summary>The image links of each scoring call, in order.</summary>
    public ConcurrentQueue<IReadOnlyList<string>> Calls { get; } = new();

    private async Task ServeAsync()
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var request = JsonDocument.Parse(context.Request.InputStream);
            var urls = request.RootElement.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("url").GetString()!).ToList();
            Calls.Enqueue(urls);
            context.Response.StatusCode = Failing ? 500 : 200;
            var body = Failing ? "{}" : JsonSerializer.Serialize(new { scores = urls.Select((_, i) => (double)i) });
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    /// <summary>Stops once; the fixture's host may dispose it both synchronously and asynchronously.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
