namespace ImageOrleans.Grains.Billing;

/// <summary>How a charge was computed, as recorded beside it.</summary>
public static class CostBases
{
    /// <summary>Every token rate applied to the upstream's own breakdown of its tokens.</summary>
    public const string Usage = "usage";

    /// <summary>The upstream gave input tokens without a text/image split: all of them priced as text input.</summary>
    public const string UsageInputAsText = "usage; input without text/image breakdown priced as text";

    /// <summary>No usable usage: the published (or catalogue-estimated) per-image price by quality and size.</summary>
    public const string PerImageEstimate = "per-image estimate";

    /// <summary>The model has no price entry.</summary>
    public const string Unpriced = "unpriced";
}
