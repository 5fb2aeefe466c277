using StackExchange.Redis;

namespace ImageOrleans.Testing;

/// <summary>A throwaway redis-server on a free loopback port, with no persistence.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;

    private RedisServer(System.Diagnostics.Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    public static async Task<RedisServer> StartAsync(string root)
    {
        var executable = ExternalProcess.Find("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed. ./test.sh installs it (apt-get install redis-server).");
        var folder = Directory.CreateDirectory(Path.Combine(root, "redis")).FullName;
        var port = FreePort.Next();
        var process = ExternalProcess.Start(
            executable,
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder, "--protected-mode", "no"],
            Path.Combine(folder, "redis.log"));
        var server = new RedisServer(process, port);
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}; see {folder}/redis.log.");
            }

            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},connectTimeout=500");
                return (await connection.GetDatabase().PingAsync()) > TimeSpan.Zero;
            }
            catch (RedisConnectionException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "redis-server answers PING");
        return server;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
