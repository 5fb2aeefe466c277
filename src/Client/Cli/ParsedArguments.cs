namespace ImageOrleans.Client.Cli;

/// <summary>A command's options by name (with the leading <c>--</c>), each given at most once.</summary>
internal sealed class ParsedArguments(IReadOnlyDictionary<string, string> values, IReadOnlySet<string> flags, bool helpRequested)
{
    public bool HelpRequested { get; } = helpRequested;

    public string? GetValue(string option) => values.GetValueOrDefault(option);

    public bool HasFlag(string option) => flags.Contains(option);
}
