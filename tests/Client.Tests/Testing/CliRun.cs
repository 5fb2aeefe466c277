namespace ImageOrleans.Client.Tests.Testing;

/// <summary>What one in-process run of <c>imageorleans</c> returned and printed.</summary>
public sealed class CliRun
{
    private CliRun(int exitCode, string stdout, string stderr)
    {
        ExitCode = exitCode;
        Stdout = stdout;
        Stderr = stderr;
    }

    public int ExitCode { get; }

    public string Stdout { get; }

    public string Stderr { get; }

    public IReadOnlyList<string> StdoutLines => Lines(Stdout);

    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    /// <summary>Runs the command line with a stub network and an environment holding only <paramref name="environment"/>.</summary>
    public static async Task<CliRun> RunAsync(
        string[] args, HttpMessageHandler handler, IDictionary<string, string?>? environment = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, stdout, stderr, handler, environment ?? new Dictionary<string, string?>());
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    private static string[] Lines(string text) => text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
