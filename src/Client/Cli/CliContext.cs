namespace ImageOrleans.Client.Cli;

/// <summary>What a command may touch: its output streams, the environment and a way to reach the network.</summary>
internal sealed class CliContext(
    IReadOnlyList<string> args,
    TextWriter stdout,
    TextWriter stderr,
    HttpMessageHandler? handler,
    IDictionary<string, string?>? environment)
{
    // Gathered before any parsing so that not even a usage error can print a key. Longest first, so that a
    // secret containing another is masked whole.
    private readonly string[] _secrets =
    [
        .. ConnectionSettings.FindSecrets(args, name => ReadVariable(environment, name))
            .Where(secret => secret.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(secret => secret.Length),
    ];

    public string? GetEnvironmentVariable(string name) => ReadVariable(environment, name);

    /// <summary>An <see cref="HttpClient"/> whose timeout is left to <see cref="ImageOrleansClientOptions.Timeout"/>.</summary>
    public HttpClient CreateHttpClient() =>
        new(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The handler tests put in front of the network, if any.</summary>
    public HttpMessageHandler? Handler => handler;

    public Task WriteOutputAsync(string line) => stdout.WriteLineAsync(Redact(line));

    public Task WriteErrorAsync(string line) => stderr.WriteLineAsync(Redact(line));

    private static string? ReadVariable(IDictionary<string, string?>? environment, string name)
    {
        var value = environment is null
            ? Environment.GetEnvironmentVariable(name)
            : environment.TryGetValue(name, out var configured) ? configured : null;
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    // Gateways, like OpenAI, may quote a rejected key back in the error message.
    private string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
