namespace ImageOrleans.Grains.Models;

/// <summary>The image models the gateway knows the rules of: built-in defaults overlaid by configuration.</summary>
public sealed class ModelCatalogue
{
    /// <summary>The key under <c>ImageOrleans:Models</c> that holds aliases, not a model.</summary>
    public const string AliasesKey = "Aliases";

    private static readonly string[] GptImageSizes = ["1024x1024", "1536x1024", "1024x1536", "auto"];
    private static readonly string[] GptImageQualities = ["low", "medium", "high", "auto"];
    private static readonly string[] GptImage25Qualities = ["low", "medium", "high", "xhigh", "max", "auto"];
    private static readonly string[] GptImageBackgrounds = ["transparent", "opaque", "auto"];
    private static readonly string[] GptImageFormats = ["png", "jpeg", "webp"];
    private static readonly string[] GptImageModerations = ["low", "auto"];
    private static readonly string[] Fidelities = ["low", "high"];

    // Shutdown dates and successors as OpenAI's deprecations page and model pages give them.
    private static readonly DateOnly DallEShutdown = new(2026, 5, 12);
    private static readonly DateOnly GptImage1Shutdown = new(2026, 10, 23);
    private static readonly DateOnly GptImage15Shutdown = new(2026, 12, 1);

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
                if (!string.Equals(name, AliasesKey, StringComparison.OrdinalIgnoreCase))
                {
                    _models[name] = spec;
                }
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

    /// <summary>The built-in models still in service on <paramref name="today"/>: what a simulated pool serves.</summary>
    public static IReadOnlyList<string> Current(DateOnly today) =>
        [.. BuiltIn().Where(m => !m.Value.IsRetired(today)).Select(m => m.Key).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The image models OpenAI documents, with their request rules: those in service, and the retired
    /// ones with their shutdown date and successor, so an account that still serves one (a compatible
    /// vendor) is validated as before and a request for one elsewhere learns where to go.
    /// </summary>
    public static Dictionary<string, ModelSpec> BuiltIn() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-image-2.6-sunburst"] = GptImage(GptImage25Qualities, flexible: true),
        ["gpt-image-2.6-flare"] = GptImage(GptImage25Qualities, flexible: true),
        ["gpt-image-2.5-sunburst"] = GptImage(GptImage25Qualities, flexible: true),
        ["gpt-image-2.5-flare"] = GptImage(GptImage25Qualities, flexible: true),
        ["gpt-image-2"] = GptImage(GptImageQualities, flexible: true),
        ["gpt-image-1.5"] = Retired(GptImage(GptImageQualities), GptImage15Shutdown, "gpt-image-2.6-sunburst"),
        ["gpt-image-1-mini"] = Retired(GptImage(GptImageQualities, fidelity: false), GptImage15Shutdown, "gpt-image-2.6-flare"),
        ["chatgpt-image-latest"] = Retired(GptImage(GptImageQualities), GptImage15Shutdown, "gpt-image-2.6-sunburst"),
        ["gpt-image-1"] = Retired(GptImage(GptImageQualities), GptImage1Shutdown, "gpt-image-2.5-sunburst"),
        ["dall-e-3"] = Retired(new ModelSpec
        {
            Sizes = ["1024x1024", "1792x1024", "1024x1792"],
            Qualities = ["standard", "hd"],
            Styles = ["vivid", "natural"],
            MaxN = 1,
            MaxPromptLength = 4_000,
            DefaultSize = "1024x1024",
            DefaultQuality = "standard",
            DefaultStyle = "vivid",
        }, DallEShutdown, "gpt-image-2.5-sunburst"),
        ["dall-e-2"] = Retired(new ModelSpec
        {
            Sizes = ["256x256", "512x512", "1024x1024"],
            Qualities = ["standard"],
            MaxN = 10,
            MaxPromptLength = 1_000,
            DefaultSize = "1024x1024",
            DefaultQuality = "standard",
            SupportsEdits = true,
            SupportsVariations = true,
        }, DallEShutdown, "gpt-image-2.5-sunburst"),
    };

    private static ModelSpec Retired(ModelSpec spec, DateOnly shutdown, string successor)
    {
        spec.ShutdownDate = shutdown;
        spec.Successor = successor;
        return spec;
    }

    private static ModelSpec GptImage(string[] qualities, bool flexible = false, bool fidelity = true) => new()
    {
        Sizes = [.. GptImageSizes],
        FlexibleSize = flexible ? new FlexibleSizeRule() : null,
        Qualities = [.. qualities],
        Backgrounds = [.. GptImageBackgrounds],
        OutputFormats = [.. GptImageFormats],
        Moderations = [.. GptImageModerations],
        InputFidelities = fidelity ? [.. Fidelities] : [],
        SupportsOutputCompression = true,
        MaxN = 10,
        MaxPromptLength = 32_000,
        DefaultSize = "auto",
        DefaultQuality = "auto",
        AlwaysBase64 = true,
        SupportsEdits = true,
        SupportsStreaming = true,
        MaxInputImages = 16,
    };
}
