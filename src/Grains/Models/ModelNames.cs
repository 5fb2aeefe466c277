namespace ImageOrleans.Grains.Models;

/// <summary>
/// What an account may call a model: 1 to 100 visible characters, none of which is a separator the
/// gateway uses in its own keys (a <c>|</c> in a model name would split a usage row in two).
/// </summary>
public static class ModelNames
{
    public const int MaxLength = 100;

    public static bool IsAcceptable(string? name) =>
        name is { Length: > 0 and <= MaxLength } && name.All(c => c is > ' ' and <= '~' && c != '|');
}
