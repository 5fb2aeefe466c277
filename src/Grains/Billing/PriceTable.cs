namespace ImageOrleans.Grains.Billing;

/// <summary>
/// Prices in USD, per model (section <c>ImageOrleans:Prices</c>). Defaults follow OpenAI's published
/// image prices; a configured model replaces its default entry whole.
/// </summary>
public sealed class PriceTable
{
    private const string Square = "1024x1024";
    private const string Portrait = "1024x1536";
    private const string Landscape = "1536x1024";

    private readonly Dictionary<string, ModelPrice> _models;

    public PriceTable(IReadOnlyDictionary<string, ModelPrice>? overrides = null)
    {
        _models = new Dictionary<string, ModelPrice>(Defaults(), StringComparer.OrdinalIgnoreCase);
        foreach (var (model, price) in overrides ?? new Dictionary<string, ModelPrice>())
        {
            _models[model] = price;
        }
    }

    public ModelPrice? Find(string model) => _models.GetValueOrDefault(model);

    public static Dictionary<string, ModelPrice> Defaults() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-image-1"] = GptImage(low: (0.011m, 0.016m), medium: (0.042m, 0.063m), high: (0.167m, 0.25m), text: 5m, image: 10m, output: 40m),
        ["gpt-image-1.5"] = GptImage(low: (0.009m, 0.013m), medium: (0.034m, 0.05m), high: (0.133m, 0.2m), text: 5m, image: 8m, output: 32m),
        ["gpt-image-1-mini"] = GptImage(low: (0.005m, 0.006m), medium: (0.011m, 0.015m), high: (0.036m, 0.052m), text: 2m, image: 2.5m, output: 8m),
        ["gpt-image-2"] = GptImage(low: (0.009m, 0.013m), medium: (0.034m, 0.05m), high: (0.133m, 0.2m), text: 5m, image: 8m, output: 32m, flexible: true),
        ["dall-e-3"] = new ModelPrice
        {
            PerImage = new(StringComparer.OrdinalIgnoreCase)
            {
                ["standard"] = new() { [Square] = 0.04m, ["1024x1792"] = 0.08m, ["1792x1024"] = 0.08m },
                ["hd"] = new() { [Square] = 0.08m, ["1024x1792"] = 0.12m, ["1792x1024"] = 0.12m },
            },
        },
        ["dall-e-2"] = new ModelPrice
        {
            PerImage = new(StringComparer.OrdinalIgnoreCase)
            {
                ["standard"] = new() { ["256x256"] = 0.016m, ["512x512"] = 0.018m, [Square] = 0.02m },
            },
        },
    };

    private static ModelPrice GptImage((decimal Square, decimal Wide) low, (decimal Square, decimal Wide) medium, (decimal Square, decimal Wide) high,
        decimal text, decimal image, decimal output, bool flexible = false)
    {
        Dictionary<string, decimal> Sizes((decimal Square, decimal Wide) p) => new() { [Square] = p.Square, [Portrait] = p.Wide, [Landscape] = p.Wide };
        var price = new ModelPrice
        {
            PerImage = new(StringComparer.OrdinalIgnoreCase) { ["low"] = Sizes(low), ["medium"] = Sizes(medium), ["high"] = Sizes(high) },
            InputTextPerMillion = text,
            InputImagePerMillion = image,
            OutputPerMillion = output,
        };
        if (flexible)
        {
            // A 1024x1024 image is 1.048576 megapixels.
            price.PerMegapixel = new(StringComparer.OrdinalIgnoreCase)
            {
                ["low"] = decimal.Round(low.Square / 1.048576m, 6),
                ["medium"] = decimal.Round(medium.Square / 1.048576m, 6),
                ["high"] = decimal.Round(high.Square / 1.048576m, 6),
            };
        }

        return price;
    }
}
