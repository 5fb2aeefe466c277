using System.CommandLine;
using System.CommandLine.Parsing;

namespace ImageOrleans.Client.Cli;

/// <summary>
/// Reads a command's <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options with System.CommandLine,
/// so every command of the CLI parses the same way (<see cref="Commands.BatchCommand"/> builds its tree directly).
/// </summary>
internal static class ArgumentParser
{
    /// <remarks>
    /// <c>--help</c> anywhere shows the help, whatever else is wrong; otherwise the parser's first error is
    /// reported. Its messages quote the tokens they are about; the CLI masks any that is the key before printing.
    /// </remarks>
    /// <exception cref="CommandLineException">An argument is unknown, repeated or missing its value.</exception>
    public static ParsedArguments Parse(
        IReadOnlyList<string> args,
        IReadOnlyCollection<string> valueOptions,
        IReadOnlyCollection<string> flagOptions,
        string helpCommand)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            return new ParsedArguments(new Dictionary<string, string>(), new HashSet<string>(), helpRequested: true);
        }

        var command = new RootCommand();
        command.Options.Clear();
        var values = valueOptions.ToDictionary(name => name, name => new Option<string>(name), StringComparer.Ordinal);
        var flags = flagOptions.ToDictionary(name => name, name => new Option<bool>(name) { Arity = ArgumentArity.Zero }, StringComparer.Ordinal);
        foreach (var option in values.Values.Cast<Option>().Concat(flags.Values))
        {
            command.Add(option);
        }

        var result = command.Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new CommandLineException(Describe(result.Errors[0]), helpCommand);
        }

        // A repeated flag is no error to System.CommandLine; here it is, as a repeated value is.
        if (flags.FirstOrDefault(f => result.GetResult(f.Value) is { IdentifierTokenCount: > 1 }).Key is { } repeated)
        {
            throw new CommandLineException($"{repeated} was given more than once", helpCommand);
        }

        var given = values.Where(v => result.GetResult(v.Value) is { Implicit: false })
            .ToDictionary(v => v.Key, v => result.GetValue(v.Value) ?? string.Empty, StringComparer.Ordinal);
        var set = flags.Where(f => result.GetResult(f.Value) is { Implicit: false }).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        return new ParsedArguments(given, set, helpRequested: false);
    }

    private static string Describe(ParseError error) => error.Message.TrimEnd('.');
}
