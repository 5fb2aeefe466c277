using ImageOrleans.Client.Cli;

namespace ImageOrleans.Client.Commands;

/// <summary><c>imageorleans models</c>: prints the id of every model the gateway serves, one per line.</summary>
internal static class ModelsCommand
{
    public const string Name = "models";

    public const string Usage = """
        Usage: imageorleans models [options]

        Lists the models the gateway serves, one id per line.

        Options:
        """ + "\n" + ConnectionSettings.Help + """

          -h, --help         Show this help.
        """;

    private const string HelpCommand = "imageorleans models --help";

    private static readonly string[] ValueOptions = [ConnectionSettings.BaseUrlOption, ConnectionSettings.ApiKeyOption];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        var arguments = ArgumentParser.Parse(args, ValueOptions, [], HelpCommand);
        if (arguments.HelpRequested)
        {
            await context.WriteOutputAsync(Usage);
            return ExitCodes.Success;
        }

        var connection = ConnectionSettings.Resolve(arguments, context, HelpCommand);
        using var httpClient = context.CreateHttpClient();
        var client = new ImageOrleansClient(httpClient, connection.ToClientOptions(TimeSpan.FromSeconds(30)));
        foreach (var model in await client.ListModelsAsync(cancellationToken))
        {
            await context.WriteOutputAsync(model);
        }

        return ExitCodes.Success;
    }
}
