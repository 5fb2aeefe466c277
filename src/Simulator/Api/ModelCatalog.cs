namespace ImageOrleans.Simulator.Api;

/// <summary>The image models GET /v1/models lists for a key that does not restrict its models.</summary>
internal static class ModelCatalog
{
    public const string DefaultModel = "dall-e-2";

    public static IReadOnlyList<ModelInfo> All { get; } =
    [
        new("gpt-image-2.6-sunburst", 1793836800),
        new("gpt-image-2.6-flare", 1793836800),
        new("gpt-image-2.5-sunburst", 1788825600),
        new("gpt-image-2.5-flare", 1788825600),
        new("gpt-image-2", 1767225600),
        new("gpt-image-1.5", 1763078400),
        new("gpt-image-1", 1745517030),
        new("gpt-image-1-mini", 1759708800),
        new("dall-e-3", 1698785189),
        new("dall-e-2", 1698798177),
    ];

    public static bool IsGptImage(string model) => model.StartsWith("gpt-image", StringComparison.Ordinal);

    public static bool IsDallE3(string model) => model.StartsWith("dall-e-3", StringComparison.Ordinal);

    public static long CreatedOf(string model) =>
        All.FirstOrDefault(m => m.Id == model)?.Created ?? 1698785189;
}
