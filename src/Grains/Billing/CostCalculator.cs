using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageOrleans.Grains.Billing;

/// <summary>
/// What a request may cost at most (reserved before it runs) and what it did cost (charged after):
/// from the upstream's reported token usage when the model has token prices, else from the per-image
/// table, times the serving account's price factor.
/// </summary>
public sealed partial class CostCalculator(PriceTable prices, ILogger<CostCalculator>? logger = null)
{
    /// <summary>More tokens than any one image request can use; an upstream reporting more is not believed.</summary>
    public const long MaxUsageTokens = 1_000_000_000;

    private readonly ILogger _logger = logger ?? NullLogger<CostCalculator>.Instance;

    // An input image of an edit or variation costs image input tokens by its size and the fidelity asked
    // for; OpenAI publishes no ceiling, so the reservation assumes a generous one per file (the charge
    // uses the reported usage).
    public const long InputImageTokensBound = 6_000;

    // A prompt never has more tokens than characters; the bound is loose and safe.
    private const decimal TokensPerPromptCharacterBound = 1m;

    // Published per-image prices are rounded (gpt-image-1 medium is 1056 output tokens, $0.04224,
    // listed as $0.042): the reservation carries a margin so a token-priced charge stays inside it.
    private const decimal RoundingMargin = 1.02m;

    /// <summary>The most <paramref name="request"/> can cost with any account whose price factor is at most <paramref name="maxFactor"/>.</summary>
    public decimal WorstCase(ImageRequest request, decimal maxFactor = 1m)
    {
        var price = prices.Find(request.Model);
        if (price is null)
        {
            return 0m;
        }

        var perImage = Qualities(price, request.Quality).Select(q => PerImage(price, q, request.Size, worst: true)).DefaultIfEmpty(0m).Max();
        var input = price.InputTextPerMillion is { } text ? request.Prompt.Length * TokensPerPromptCharacterBound * text / 1_000_000m : 0m;
        var files = request.Images.Count + (request.Mask is null ? 0 : 1);
        if (files > 0 && price.InputImagePerMillion is { } imageInput)
        {
            input += files * InputImageTokensBound * imageInput / 1_000_000m;
        }
        return decimal.Round(((perImage * request.N * RoundingMargin) + input) * Math.Max(1m, maxFactor), 6, MidpointRounding.AwayFromZero);
    }

    /// <summary>What the request cost on an account with <paramref name="factor"/>, given the upstream's usage if any.</summary>
    public decimal Actual(ImageRequest request, ImageUsage? usage, decimal factor = 1m) => Charge(request, usage, factor).Usd;

    /// <summary>
    /// What the request cost, and on what basis: each token rate applied to its own tokens when the
    /// upstream's usage breaks them down, else the estimate that stood in (named in <see cref="ChargedCost.Basis"/>).
    /// </summary>
    public ChargedCost Charge(ImageRequest request, ImageUsage? usage, decimal factor = 1m)
    {
        var price = prices.Find(request.Model);
        if (price is null)
        {
            return new ChargedCost(0m, CostBases.Unpriced);
        }

        decimal cost;
        string basis;
        if (usage is not null && FromUsage(price, request.Model, usage) is { } tokens)
        {
            (cost, basis) = tokens;
        }
        else
        {
            var quality = ChargedQuality(price, request.Quality);
            cost = PerImage(price, quality, request.Size, worst: false) * request.N;
            basis = $"{CostBases.PerImageEstimate} ({quality}, {request.Size ?? "default size"})";
        }

        // Whatever an upstream reports, a charge never credits a budget.
        return new ChargedCost(Math.Max(0m, decimal.Round(cost * Math.Max(0m, factor), 6, MidpointRounding.AwayFromZero)), basis);
    }

    /// <summary>The cheaper qualities of a model, from the requested one down, for a budget that cannot pay for it.</summary>
    public IReadOnlyList<string> CheaperQualities(ImageRequest request)
    {
        var price = prices.Find(request.Model);
        if (price is null)
        {
            return [];
        }

        var current = Qualities(price, request.Quality).Max(q => PerImage(price, q, request.Size, worst: true));
        return [.. price.PerImage.Keys
            .Select(q => (Quality: q, Price: PerImage(price, q, request.Size, worst: true)))
            .Where(p => p.Price < current)
            .OrderByDescending(p => p.Price)
            .Select(p => p.Quality)];
    }

    /// <summary>The quality an "auto" (or unset) request is charged at: medium, or the model's standard one.</summary>
    private static string ChargedQuality(ModelPrice price, string? quality) =>
        quality is not (null or "auto") ? quality
        : price.PerImage.ContainsKey("medium") ? "medium"
        : price.PerImage.ContainsKey("standard") ? "standard"
        : price.PerImage.Keys.FirstOrDefault() ?? "standard";

    private static string[] Qualities(ModelPrice price, string? quality) =>
        quality is null or "auto" ? [.. price.PerImage.Keys] : [quality];

    private static decimal PerImage(ModelPrice price, string quality, string? size, bool worst)
    {
        if (!price.PerImage.TryGetValue(quality, out var sizes) || sizes.Count == 0)
        {
            // An unknown quality is priced like the dearest one the model has.
            return price.PerImage.Values.SelectMany(s => s.Values).DefaultIfEmpty(0m).Max();
        }

        if (size is not null && sizes.TryGetValue(size, out var exact))
        {
            return exact;
        }

        if (size is not null && size != "auto" && ImageRequestValidator.TryParseSize(size, out var width, out var height)
            && price.PerMegapixel.TryGetValue(quality, out var perMegapixel))
        {
            return decimal.Round(perMegapixel * width * height / 1_000_000m, 6);
        }

        // "auto" (or a size without its own price): the dearest size when reserving, the square one when charging.
        return worst || !sizes.TryGetValue("1024x1024", out var square) ? sizes.Values.Max() : square;
    }

    /// <summary>
    /// The cost from the upstream's token counts, or null when there are none to trust: a count that
    /// is negative or absurd (above <see cref="MaxUsageTokens"/>) is clamped into range and logged, and
    /// the request is then charged at the published per-image price instead of the reported tokens.
    /// Cached input tokens (<c>cached_tokens_details</c>, or an undivided <c>cached_tokens</c> taken from
    /// text first) are charged at the cached rates; output text tokens at the text output rate.
    /// </summary>
    private (decimal Cost, string Basis)? FromUsage(ModelPrice price, string model, ImageUsage usage)
    {
        if (price.OutputPerMillion is not { } output || usage.OutputTokens is not { } produced)
        {
            return null;
        }

        long? text = 0;
        long? image = 0;
        long? cachedText = 0;
        long? cachedImage = 0;
        long? outputText = 0;
        var basis = CostBases.Usage;
        if (usage.InputTokensDetails is { } details)
        {
            text = details.TextTokens ?? 0;
            image = details.ImageTokens ?? 0;
            if ((details.CachedTokensDetails ?? usage.CachedTokensDetails) is { } cachedDetails)
            {
                cachedText = cachedDetails.TextTokens ?? 0;
                cachedImage = cachedDetails.ImageTokens ?? 0;
            }
            else if (details.CachedTokens is { } cached and > 0)
            {
                cachedText = Math.Min(cached, text.Value);
                cachedImage = Math.Min(cached - cachedText.Value, image.Value);
            }
        }
        else if (usage.InputTokens is { } inputTokens)
        {
            text = inputTokens;
            basis = CostBases.UsageInputAsText;
        }

        if (usage.OutputTokensDetails?.TextTokens is { } textOut)
        {
            outputText = textOut;
        }

        var trusted = Clamp(model, "output_tokens", ref produced) & Clamp(model, "text_tokens", ref text) & Clamp(model, "image_tokens", ref image)
            & Clamp(model, "cached_text_tokens", ref cachedText) & Clamp(model, "cached_image_tokens", ref cachedImage)
            & Clamp(model, "output_text_tokens", ref outputText);
        if (!trusted)
        {
            return null;
        }

        // Cached and output-text tokens are parts of the totals, never more than them.
        var freshText = Math.Max(0, text!.Value - cachedText!.Value);
        var freshImage = Math.Max(0, image!.Value - cachedImage!.Value);
        var imageOut = Math.Max(0, produced - outputText!.Value);
        var inputText = price.InputTextPerMillion ?? 0m;
        var inputImage = price.InputImagePerMillion ?? 0m;
        var cost = (freshText * inputText)
            + (Math.Min(cachedText.Value, text.Value) * (price.CachedInputTextPerMillion ?? inputText))
            + (freshImage * inputImage)
            + (Math.Min(cachedImage.Value, image.Value) * (price.CachedInputImagePerMillion ?? inputImage))
            + (imageOut * output)
            + (Math.Min(outputText.Value, produced) * (price.OutputTextPerMillion ?? output));
        return (cost / 1_000_000m, basis);
    }

    private bool Clamp(string model, string field, ref long? count)
    {
        if (count is not { } value || value is >= 0 and <= MaxUsageTokens)
        {
            return true;
        }

        count = Math.Clamp(value, 0, MaxUsageTokens);
        LogImplausibleUsage(_logger, model, field, value, count.Value);
        return false;
    }

    private bool Clamp(string model, string field, ref long count)
    {
        long? boxed = count;
        var trusted = Clamp(model, field, ref boxed);
        count = boxed!.Value;
        return trusted;
    }

    [LoggerMessage(EventId = 2611, Level = LogLevel.Warning,
        Message = "The upstream reported {Field} = {Reported} for model {Model}; clamped to {Clamped}, and the request is charged at the published per-image price")]
    private static partial void LogImplausibleUsage(ILogger logger, string model, string field, long reported, long clamped);
}
