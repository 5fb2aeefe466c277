namespace ImageOrleans.Grains.Models;

/// <summary>
/// Model migrations (<c>ImageOrleans:Models:Aliases</c>): a retired or renamed model name mapped to one
/// successor or split by percentage across several, e.g. <c>{"gpt-image-1": {"gpt-image-2.6-sunburst": 80,
/// "gpt-image-2.6-flare": 20}}</c>. The weights of one alias add up to 100.
/// </summary>
public sealed class ModelAliasOptions
{
    /// <summary>The section the aliases live in, beside the per-model rules.</summary>
    public const string SectionName = "ImageOrleans:Models";

    public Dictionary<string, Dictionary<string, int>> Aliases { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
