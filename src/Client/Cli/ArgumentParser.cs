namespace ImageOrleans.Client.Cli;

/// <summary>Reads <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options after the command name.</summary>
internal static class ArgumentParser
{
    /// <remarks>
    /// Parsing goes on past the first mistake so that <c>--help</c> anywhere still shows the help; otherwise the
    /// first mistake is reported. Only option names are quoted back, never values, which may be secrets.
    /// </remarks>
    /// <exception cref="CommandLineException">An argument is unknown, repeated or missing its value.</exception>
    public static ParsedArguments Parse(
        IReadOnlyList<string> args,
        IReadOnlyCollection<string> valueOptions,
        IReadOnlyCollection<string> flagOptions,
        string helpCommand)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var helpRequested = false;
        string? firstError = null;

        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (token is "-h" or "--help")
            {
                helpRequested = true;
                continue;
            }

            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
            {
                firstError ??= token.StartsWith('-')
                    ? $"unknown option '{token}'"
                    : "unexpected argument: every value must follow the option it belongs to, e.g. --prompt \"a red fox\"";
                continue;
            }

            var separator = token.IndexOf('=', StringComparison.Ordinal);
            var name = separator < 0 ? token : token[..separator];
            var inlineValue = separator < 0 ? null : token[(separator + 1)..];

            if (flagOptions.Contains(name))
            {
                if (inlineValue is not null)
                {
                    firstError ??= $"{name} does not take a value";
                }
                else if (!flags.Add(name))
                {
                    firstError ??= $"{name} was given more than once";
                }

                continue;
            }

            if (!valueOptions.Contains(name))
            {
                firstError ??= $"unknown option '{name}'";
                continue;
            }

            string value;
            if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                firstError ??= $"{name} needs a value";
                continue;
            }

            if (!values.TryAdd(name, value))
            {
                firstError ??= $"{name} was given more than once";
            }
        }

        if (!helpRequested && firstError is not null)
        {
            throw new CommandLineException(firstError, helpCommand);
        }

        return new ParsedArguments(values, flags, helpRequested);
    }
}
