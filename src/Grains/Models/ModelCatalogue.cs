namespace ImageOrleans.Grains.Models;

/// <summary>The image models the gateway knows the rules of: built-in defaults overlaid by configuration.</summary>
public sealed class ModelCatalogue
{
    private static readonly string[] GptImageSizes = ["1024x1024", "1536x1024", "1024x1536", "auto"];
    private static readonly string[] GptImageQualities = ["low", "medium", "high", "auto"];
    private static readonly string[] GptImageBackgrounds = ["transparent", "opaque", "auto"];
    private static readonly string[] GptImageFormats = ["png", "jpeg", "webp"];
    private static readonly string[] GptImageModerations = ["low", "auto"];

    private readonly Dictionary<string, ModelSpec> _models;

    public ModelCatalogue(IReadOnlyDictionary<string, ModelSpec>? overrides = null)
    {
        _models = new Dictionary<string, ModelSpec>(BuiltIn(), StringComparer.OrdinalIgnoreCase);
        if (overrides is not null)
        {
            // A configured model replaces the built-in entry whole, so a list in configuration never
            // merges with a default list by accident.
            foreach (var (name, spec) in overrides)
            {
                _models[name] = spec;
            }
        }
    }

    public IReadOnlyCollection<string> KnownModels => _models.Keys;

    public ModelSpec? Find(string model) => _models.GetValueOrDefault(model);

    /// <summary>
    /// The catalogue's own spelling of <paramref name="model"/> (matched case-insensitively), or null
    /// for a model it does not know. Upstreams match model names exactly, so this is what goes onwards.
    /// </summary>
    public string? Canonical(string model)
    {
        if (!_models.ContainsKey(model))
        {
            return null;
        }

        foreach (var name in _models.Keys)
        {
            if (string.Equals(name, model, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The models OpenAI publishes today, with their documented request rules.</summary>
    public static Dictionary<string, ModelSpec> BuiltIn() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-image-2"] = GptImage(flexible: new FlexibleSizeRule()),
        ["gpt-image-1.5"] = GptImage(),
        ["gpt-image-1"] = GptImage(),
        ["gpt-image-1-mini"] = GptImage(),
        ["dall-e-3"] = new ModelSpec
        {
            Sizes = ["1024x1024", "1792x1024", "1024x1792"],
            Qualities = ["standard", "hd"],
            Styles = ["vivid", "natural"],
            MaxN = 1,
            MaxPromptLength = 4_000,
            DefaultSize = "1024x1024",
            DefaultQuality = "standard",
            DefaultStyle = "vivid",
        },
        ["dall-e-2"] = new ModelSpec
        {
            Sizes = ["256x256", "512x512", "1024x1024"],
            Qualities = ["standard"],
            MaxN = 10,
            MaxPromptLength = 1_000,
            DefaultSize = "1024x1024",
            DefaultQuality = "standard",
        },
    };

    private static ModelSpec GptImage(FlexibleSizeRule? flexible = null) => new()
    {
        Sizes = [.. GptImageSizes],
        FlexibleSize = flexible,
        Qualities = [.. GptImageQualities],
        Backgrounds = [.. GptImageBackgrounds],
        OutputFormats = [.. GptImageFormats],
        Moderations = [.. GptImageModerations],
        SupportsOutputCompression = true,
        MaxN = 10,
        MaxPromptLength = 32_000,
        DefaultSize = "auto",
        DefaultQuality = "auto",
        AlwaysBase64 = true,
    };
}
