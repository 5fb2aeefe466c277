using System.Diagnostics;

namespace ImageOrleans.Testing;

/// <summary>Starts programs for tests, with output going to a log file, and runs short commands to completion.</summary>
public static class ExternalProcess
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a command (as <paramref name="user"/> when given and we are root) and returns its output; throws on failure.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string? user = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(Describe(file, arguments, user, null, null)) ?? throw new InvalidOperationException($"Could not start {file}.");
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var error = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }

    /// <summary>Starts a long-running program whose output is appended to <paramref name="logFile"/>.</summary>
    public static Process Start(string file, IEnumerable<string> arguments, string logFile, string? user = null, IDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = Describe(file, arguments, user, environment, workingDirectory);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var sync = new Lock();
        var open = 2;

        // Each stream ends with a null line; the log closes when both have ended.
        void Write(string? line)
        {
            lock (sync)
            {
                if (line is not null)
                {
                    log.WriteLine(line);
                }
                else if (--open == 0)
                {
                    log.Dispose();
                }
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {file}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Finds a program on the PATH or in the usual PostgreSQL folders.</summary>
    public static string? Find(string program)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")) : []);
        return folders.Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists);
    }

    private static ProcessStartInfo Describe(string file, IEnumerable<string> arguments, string? user, IDictionary<string, string?>? environment, string? workingDirectory)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (user is not null && IsRoot)
        {
            // PostgreSQL refuses to run as root.
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(user);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(file);
        }
        else
        {
            start.FileName = file;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        return start;
    }
}
