namespace ImageOrleans.Grains.Billing;

/// <summary>What one model costs: per image by quality and size, and per token when the upstream reports usage.</summary>
public sealed class ModelPrice
{
    /// <summary>USD per image: quality → size ("1024x1024") → price.</summary>
    public Dictionary<string, Dictionary<string, decimal>> PerImage { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// USD per image per megapixel by quality, for sizes not listed in <see cref="PerImage"/> (free-form
    /// W×H models): the price scales with the pixel count.
    /// </summary>
    public Dictionary<string, decimal> PerMegapixel { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>USD per million text input tokens, when the upstream reports usage.</summary>
    public decimal? InputTextPerMillion { get; set; }

    /// <summary>USD per million image input tokens.</summary>
    public decimal? InputImagePerMillion { get; set; }

    /// <summary>USD per million output (image) tokens.</summary>
    public decimal? OutputPerMillion { get; set; }

    /// <summary>USD per million cached text input tokens; uncached rate when unset.</summary>
    public decimal? CachedInputTextPerMillion { get; set; }

    /// <summary>USD per million cached image input tokens; uncached rate when unset.</summary>
    public decimal? CachedInputImagePerMillion { get; set; }

    /// <summary>USD per million output text tokens (<c>output_tokens_details.text_tokens</c>); the image output rate when unset.</summary>
    public decimal? OutputTextPerMillion { get; set; }
}
