using System.Diagnostics;
using System.Text.Json;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// Runs one of the repository's Node scripts (its npm packages installed by test.sh) and reads the JSON it
/// prints on its last line. A script that fails, or runs past its limit, fails the test with what it wrote.
/// </summary>
public static class NodeScript
{
    /// <param name="folder">The npm folder under tests/ (e.g. <c>Node</c>).</param>
    /// <param name="package">A package the script needs, to say plainly when test.sh has not installed it.</param>
    public static async Task<JsonElement> RunAsync(
        string folder, string package, string script, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? args = null, TimeSpan? limit = null)
    {
        var directory = Path.Combine(RepositoryRoot.Path, "tests", folder);
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", package)),
            $"tests/{folder}/node_modules/{package} is missing: run the tests through ./test.sh, which installs it with npm ci.");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, script), .. args ?? []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(2));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {(limit ?? TimeSpan.FromMinutes(2)).TotalSeconds:0} s: " + await errors);
        }

        Assert.True(node.ExitCode == 0, $"{script} failed ({node.ExitCode}): {await errors}\n{await output}");
        return JsonDocument.Parse((await output).Trim().Split('\n')[^1]).RootElement;
    }
}
