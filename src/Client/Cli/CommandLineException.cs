namespace ImageOrleans.Client.Cli;

/// <summary>The arguments cannot be run as given; the process exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class CommandLineException(string message, string helpCommand = "imageorleans --help") : Exception(message)
{
    /// <summary>The command line that shows the usage the user got wrong.</summary>
    public string HelpCommand { get; } = helpCommand;
}
