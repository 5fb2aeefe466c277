using System.Globalization;
using System.Text;
using ImageOrleans.Client.Cli;
using ImageOrleans.Client.Commands;
using Spectre.Console;

namespace ImageOrleans.Client;

/// <summary>The <c>imageorleans</c> command line, runnable in-process so tests can drive it.</summary>
public static class CliApp
{
    private const string Usage = """
        Usage: imageorleans <command> [options]

        Commands:
          generate   Generate images from a prompt and save them to a folder.
          models     List the models the gateway serves.
          batch      Submit, watch, download, cancel and list batches ('imageorleans batch --help').

        Run 'imageorleans <command> --help' for a command's options.

        Exit codes: 0 success, 1 the request failed, 2 invalid arguments, 130 interrupted. The batch
        commands: 0 all done, 2 some items failed, 3 the batch failed or was cancelled, 1 invalid arguments.
        """;

    /// <summary>Runs one command line and returns the process exit code.</summary>
    /// <remarks>
    /// A null <paramref name="handler"/> means a fresh <see cref="SocketsHttpHandler"/>; a null
    /// <paramref name="environment"/> means the process's own environment variables.
    /// </remarks>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        HttpMessageHandler? handler = null,
        IDictionary<string, string?>? environment = null,
        IAnsiConsole? console = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var context = new CliContext(args, stdout, stderr, handler, environment);

        // Every failure leaves through here, so each kind gets one message format and one exit code.
        try
        {
            switch (args)
            {
                case []:
                    await context.WriteErrorAsync(Usage);
                    return ExitCodes.Usage;
                case ["-h" or "--help" or "help"]:
                    await context.WriteOutputAsync(Usage);
                    return ExitCodes.Success;
                case ["help", GenerateCommand.Name]:
                    await context.WriteOutputAsync(GenerateCommand.Usage);
                    return ExitCodes.Success;
                case ["help", ModelsCommand.Name]:
                    await context.WriteOutputAsync(ModelsCommand.Usage);
                    return ExitCodes.Success;
                case [GenerateCommand.Name, .. var rest]:
                    return await GenerateCommand.RunAsync(rest, context, cancellationToken);
                case [ModelsCommand.Name, .. var rest]:
                    return await ModelsCommand.RunAsync(rest, context, cancellationToken);
                case [BatchCommand.Name, .. var rest]:
                    return await BatchCommand.RunAsync(rest, context, console ?? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) }), stdout, stderr, cancellationToken);
                default:
                    throw new CommandLineException(
                        args[0].StartsWith('-') ? $"unknown option '{args[0]}'" : $"unknown command '{args[0]}'");
            }
        }
        catch (CommandLineException exception)
        {
            await context.WriteErrorAsync($"error: {exception.Message}");
            await context.WriteErrorAsync($"Run '{exception.HelpCommand}' for usage.");
            return ExitCodes.Usage;
        }
        catch (ImageOrleansException exception)
        {
            await context.WriteErrorAsync(Describe(exception));
            return ExitCodes.Failure;
        }
        catch (HttpRequestException exception)
        {
            await context.WriteErrorAsync($"error: could not reach the gateway: {exception.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.WriteErrorAsync("error: interrupted");
            return ExitCodes.Canceled;
        }
        catch (Exception exception) when (exception is TimeoutException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            await context.WriteErrorAsync($"error: {exception.Message}");
            return ExitCodes.Failure;
        }
    }

    private static string Describe(ImageOrleansException exception)
    {
        var details = new List<string>(4);
        AddDetail(details, "type", exception.ErrorType);
        AddDetail(details, "code", exception.Code);
        AddDetail(details, "param", exception.Param);
        if (exception.RetryAfter is { } retryAfter)
        {
            details.Add(string.Create(CultureInfo.InvariantCulture, $"retry after {Math.Ceiling(retryAfter.TotalSeconds)}s"));
        }

        var text = new StringBuilder("error: HTTP ").Append(exception.StatusCode.ToString(CultureInfo.InvariantCulture));
        if (details.Count > 0)
        {
            text.Append(" (").AppendJoin(", ", details).Append(')');
        }

        return text.Append(": ").Append(exception.Message).ToString();
    }

    private static void AddDetail(List<string> details, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            details.Add($"{name}: {value}");
        }
    }
}
