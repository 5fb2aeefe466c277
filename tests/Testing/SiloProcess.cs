using System.Diagnostics;
using System.Globalization;

namespace ImageOrleans.Testing;

/// <summary>
/// One gateway silo as its own process (<c>dotnet ImageOrleans.Silo.dll</c>), configured through
/// environment variables the way Kubernetes would, listening for HTTP on a loopback port.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, int index, Uri baseAddress, string logFile, int siloPort, int gatewayPort)
    {
        _process = process;
        Index = index;
        BaseAddress = baseAddress;
        LogFile = logFile;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int Index { get; }

    public Uri BaseAddress { get; }

    public string LogFile { get; }

    /// <summary>The Orleans silo-to-silo port.</summary>
    public int SiloPort { get; }

    /// <summary>The Orleans gateway port, where clients connect.</summary>
    public int GatewayPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's id of the silo process (to read its memory from outside).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Where the silo program sits: beside the calling assembly, copied there by a project reference.</summary>
    public static string Program => Path.Combine(AppContext.BaseDirectory, "ImageOrleans.Silo.dll");

    public static async Task<SiloProcess> StartAsync(int index, IReadOnlyDictionary<string, string?> settings, string logFolder, TimeSpan? readyWithin = null)
    {
        var silo = Launch(index, settings, logFolder);
        await Wait.UntilAsync(async () =>
        {
            if (silo.HasExited)
            {
                // Waits until the output pumps have written the last lines, so the tail holds the reason.
                await silo._process.WaitForExitAsync();
                throw new InvalidOperationException($"Silo {index} exited with code {silo.ExitCode} while starting:\n{Tail(silo.LogFile)}");
            }

            return await silo.IsReadyAsync();
        }, readyWithin ?? TimeSpan.FromSeconds(90), $"silo {index} is ready");
        return silo;
    }

    /// <summary>Starts the process and returns at once, without waiting for it to become ready (or to fail).</summary>
    public static SiloProcess Launch(int index, IReadOnlyDictionary<string, string?> settings, string logFolder)
    {
        var httpPort = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["ImageOrleans__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["ImageOrleans__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["ImageOrleans__Grpc__Url"] = "http://127.0.0.1:0",
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        Directory.CreateDirectory(logFolder);
        var logFile = Path.Combine(logFolder, $"silo-{index}-{httpPort}.log");
        var process = ExternalProcess.Start("dotnet", [Program, "--contentRoot", AppContext.BaseDirectory], logFile, environment: environment, workingDirectory: AppContext.BaseDirectory);
        return new SiloProcess(process, index, new Uri($"http://127.0.0.1:{httpPort}/"), logFile, Port("ImageOrleans__Cluster__SiloPort"), Port("ImageOrleans__Cluster__GatewayPort"));

        int Port(string variable) => int.Parse(environment[variable]!, CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the silo answers <c>/readyz</c> with success now.</summary>
    public async Task<bool> IsReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var ready = await http.GetAsync(new Uri(BaseAddress, "readyz"));
            return ready.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod, then waits for the silo to finish.</summary>
    public async Task StopAsync(TimeSpan within)
    {
        if (_process.HasExited)
        {
            return;
        }

        await ExternalProcess.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        using var limit = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Silo {Index} did not stop within {within.TotalSeconds:0} s:\n{Tail(LogFile)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    public static string Tail(string file, int lines = 60)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
