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

    /// <summary>
    /// Token prices as OpenAI's model pages publish them (text in, cached text in, image in, cached image
    /// in, image out). The GPT Image 2.x pages publish token prices only: their per-image figures here are
    /// the estimates a reservation and a charge without usage fall back to (gpt-image-2's for low to high;
    /// xhigh and max at two and four times high), named as such in the charge's basis.
    /// </summary>
    public static Dictionary<string, ModelPrice> Defaults() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-image-2.6-sunburst"] = GptImage2x(),
        ["gpt-image-2.6-flare"] = GptImage2x(),
        ["gpt-image-2.5-sunburst"] = GptImage2x(),
        ["gpt-image-2.5-flare"] = GptImage2x(),
        ["gpt-image-2"] = GptImage(low: (0.009m, 0.013m), medium: (0.034m, 0.05m), high: (0.133m, 0.2m), text: 5m, image: 8m, output: 30m, flexible: true,
            cachedText: 1.25m, cachedImage: 2m, outputText: 10m),
        ["gpt-image-1"] = GptImage(low: (0.011m, 0.016m), medium: (0.042m, 0.063m), high: (0.167m, 0.25m), text: 5m, image: 10m, output: 40m,
            cachedText: 1.25m, cachedImage: 2.5m),
        ["gpt-image-1.5"] = GptImage(low: (0.009m, 0.013m), medium: (0.034m, 0.05m), high: (0.133m, 0.2m), text: 5m, image: 8m, output: 32m),
        ["gpt-image-1-mini"] = GptImage(low: (0.005m, 0.006m), medium: (0.011m, 0.015m), high: (0.036m, 0.052m), text: 2m, image: 2.5m, output: 8m,
            cachedText: 0.2m, cachedImage: 0.25m),
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

    /// <summary>GPT Image 2.5 and 2.6 (Flare and Sunburst): $5 text in ($1.25 cached), $8 image in ($2 cached), $30 image out.</summary>
    private static ModelPrice GptImage2x()
    {
        var price = GptImage(low: (0.009m, 0.013m), medium: (0.034m, 0.05m), high: (0.133m, 0.2m), text: 5m, image: 8m, output: 30m, flexible: true,
            cachedText: 1.25m, cachedImage: 2m);
        price.PerImage["xhigh"] = price.PerImage["high"].ToDictionary(p => p.Key, p => p.Value * 2);
        price.PerImage["max"] = price.PerImage["high"].ToDictionary(p => p.Key, p => p.Value * 4);
        price.PerMegapixel["xhigh"] = price.PerMegapixel["high"] * 2;
        price.PerMegapixel["max"] = price.PerMegapixel["high"] * 4;
        return price;
    }

    private static ModelPrice GptImage((decimal Square, decimal Wide) low, (decimal Square, decimal Wide) medium, (decimal Square, decimal Wide) high,
        decimal text, decimal image, decimal output, bool flexible = false,
        decimal? cachedText = null, decimal? cachedImage = null, decimal? outputText = null)
    {
        Dictionary<string, decimal> Sizes((decimal Square, decimal Wide) p) => new() { [Square] = p.Square, [Portrait] = p.Wide, [Landscape] = p.Wide };
        var price = new ModelPrice
        {
            PerImage = new(StringComparer.OrdinalIgnoreCase) { ["low"] = Sizes(low), ["medium"] = Sizes(medium), ["high"] = Sizes(high) },
            InputTextPerMillion = text,
            InputImagePerMillion = image,
            OutputPerMillion = output,
            CachedInputTextPerMillion = cachedText,
            CachedInputImagePerMillion = cachedImage,
            OutputTextPerMillion = outputText,
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
