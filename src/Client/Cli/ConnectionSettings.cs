namespace ImageOrleans.Client.Cli;

/// <summary>Where the gateway is and which key to use, from the options or else the environment.</summary>
/// <remarks>A class rather than a record so that no generated <c>ToString</c> ever prints the key.</remarks>
internal sealed class ConnectionSettings
{
    public const string BaseUrlOption = "--base-url";
    public const string ApiKeyOption = "--api-key";
    public const string DefaultBaseUrl = "http://localhost:5000/v1";

    public const string Help = """
          --base-url URL     Gateway API root. Default: $IMAGEORLEANS_BASE_URL, then $OPENAI_BASE_URL,
                             then http://localhost:5000/v1
          --api-key KEY      API key. Default: $IMAGEORLEANS_API_KEY, then $OPENAI_API_KEY. Prefer the
                             environment: other users can see a process's arguments.
        """;

    public static readonly IReadOnlyList<string> ApiKeyVariables = ["IMAGEORLEANS_API_KEY", "OPENAI_API_KEY"];
    public static readonly IReadOnlyList<string> BaseUrlVariables = ["IMAGEORLEANS_BASE_URL", "OPENAI_BASE_URL"];

    private ConnectionSettings(Uri baseAddress, string apiKey)
    {
        BaseAddress = baseAddress;
        ApiKey = apiKey;
    }

    public Uri BaseAddress { get; }

    public string ApiKey { get; }

    /// <exception cref="CommandLineException">The base URL is not an absolute http(s) URL.</exception>
    public static ConnectionSettings Resolve(ParsedArguments arguments, CliContext context, string helpCommand) =>
        Resolve(arguments.GetValue(BaseUrlOption), arguments.GetValue(ApiKeyOption), context, helpCommand);

    /// <exception cref="CommandLineException">The base URL is not an absolute http(s) URL.</exception>
    public static ConnectionSettings Resolve(string? baseUrlOption, string? apiKeyOption, CliContext context, string helpCommand)
    {
        var apiKey = NonBlank(apiKeyOption)
            ?? ApiKeyVariables.Select(context.GetEnvironmentVariable).FirstOrDefault(value => value is not null)
            ?? "";

        var (baseUrl, source) = ChooseBaseUrl(baseUrlOption, context);
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseAddress)
            || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new CommandLineException(
                $"the base URL '{baseUrl}' from {source} is not an absolute http:// or https:// URL", helpCommand);
        }

        return new ConnectionSettings(baseAddress, apiKey);
    }

    /// <summary>Every value that might be the key, gathered before parsing so even a usage error cannot print one.</summary>
    public static List<string> FindSecrets(IReadOnlyList<string> args, Func<string, string?> readVariable)
    {
        var secrets = ApiKeyVariables.Select(readVariable).OfType<string>().ToList();
        for (var i = 0; i < args.Count; i++)
        {
            // A following option is not a value: the parser reports the key as missing instead.
            if (args[i] == ApiKeyOption && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                secrets.Add(args[i + 1]);
            }
            else if (args[i].StartsWith(ApiKeyOption + "=", StringComparison.Ordinal))
            {
                secrets.Add(args[i][(ApiKeyOption.Length + 1)..]);
            }
        }

        return secrets;
    }

    public ImageOrleansClientOptions ToClientOptions(TimeSpan timeout) =>
        new() { BaseAddress = BaseAddress, ApiKey = ApiKey, Timeout = timeout };

    private static (string Url, string Source) ChooseBaseUrl(string? baseUrlOption, CliContext context)
    {
        if (NonBlank(baseUrlOption) is { } fromOption)
        {
            return (fromOption, BaseUrlOption);
        }

        foreach (var variable in BaseUrlVariables)
        {
            if (context.GetEnvironmentVariable(variable) is { } fromEnvironment)
            {
                return (fromEnvironment, "$" + variable);
            }
        }

        return (DefaultBaseUrl, "the default");
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
