using System.Net;

namespace ImageOrleans.Grains.Tests.Upstreams;

/// <summary>A real HTTP endpoint on loopback that answers every request the same way and counts them.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Action<HttpListenerResponse> _answer;
    private int _hits;

    public LocalHttpServer(Action<HttpListenerResponse> answer)
    {
        _answer = answer;
        Port = ImageOrleans.Testing.FreePort.Next();
        Url = $"http://127.0.0.1:{Port}/";

        // Any Host header: the tests reach this listener under names that resolve to loopback.
        _listener.Prefixes.Add($"http://+:{Port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public int Port { get; }

    public int Hits => Volatile.Read(ref _hits);

    public void Dispose() => _listener.Close();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
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

            Interlocked.Increment(ref _hits);
            _answer(context.Response);
            context.Response.Close();
        }
    }
}
