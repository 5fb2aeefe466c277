using ImageOrleans.Grains.Models;

namespace ImageOrleans.Grains.Configuration;

/// <summary>The root configuration section <c>ImageOrleans</c>; every value can be set as <c>ImageOrleans__…</c> in the environment.</summary>
public sealed class ImageOrleansOptions
{
    public const string SectionName = "ImageOrleans";

    /// <summary>Folder for local data: images, the generated development key and signing key.</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>Model used when a request names none.</summary>
    public string DefaultModel { get; set; } = "gpt-image-2.6-flare";

    public Dictionary<string, AccountOptions> Accounts { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, ClientKeyOptions> ClientKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per-model rules replacing the built-in catalogue entry of the same name, or adding a model.</summary>
    public Dictionary<string, ModelSpec> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string ResolveDataPath(string contentRoot) => Path.GetFullPath(DataPath, contentRoot);
}
