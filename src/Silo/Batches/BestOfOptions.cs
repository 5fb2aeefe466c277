namespace ImageOrleans.Silo.Batches;

/// <summary>The scorer that ranks <c>best_of</c> candidates (section <c>ImageOrleans:BestOf</c>).</summary>
public sealed class BestOfOptions
{
    public const string SectionName = "BestOf";

    /// <summary>
    /// Where candidates are POSTed for scoring: <c>{"prompt","images":[{"index","url"}]}</c> in, <c>{"scores":[…]}</c>
    /// (one number per image, higher is better) out. Unset: <c>best_of</c> is refused.
    /// </summary>
    public Uri? ScorerUrl { get; set; }

    /// <summary>How long one scoring call may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Further tries after a failed or timed-out call; then the first candidates are kept.</summary>
    public int Retries { get; set; } = 2;
}
