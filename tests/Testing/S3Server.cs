using System.Net.Sockets;

namespace ImageOrleans.Testing;

/// <summary>
/// An S3-compatible server for tests: the s3rver that ./test.sh started (its address in
/// <c>IMAGEORLEANS_TEST_S3</c>), or one started here from the copy ./test.sh installs in <c>.tools/s3rver</c>.
/// It accepts the access key <see cref="AccessKey"/> with secret <see cref="SecretKey"/>.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly System.Diagnostics.Process? _process;

    private S3Server(string serviceUrl, System.Diagnostics.Process? process)
    {
        ServiceUrl = serviceUrl;
        _process = process;
    }

    public string ServiceUrl { get; }

    public static async Task<S3Server> StartAsync(string root)
    {
        var given = Environment.GetEnvironmentVariable("IMAGEORLEANS_TEST_S3");
        if (!string.IsNullOrEmpty(given))
        {
            return new S3Server(given, null);
        }

        var program = FindInstalled()
            ?? throw new InvalidOperationException("s3rver is not installed: run ./test.sh once (it installs s3rver into .tools/s3rver with npm).");
        var folder = Directory.CreateDirectory(Path.Combine(root, "s3rver")).FullName;
        var port = FreePort.Next();
        var process = ExternalProcess.Start(program, ["-d", folder, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"], Path.Combine(folder, "s3rver.log"));
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with code {process.ExitCode}; see {folder}/s3rver.log.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "s3rver accepts connections");
        return new S3Server($"http://127.0.0.1:{port}", process);
    }

    private static string? FindInstalled()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var program = Path.Combine(folder.FullName, ".tools", "s3rver", "node_modules", ".bin", "s3rver");
            if (File.Exists(program))
            {
                return program;
            }
        }

        return null;
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }

        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
