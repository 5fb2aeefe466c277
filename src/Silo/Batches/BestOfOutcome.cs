using ImageOrleans.Silo.Pipeline;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// How a best-of run ended: the generation with only the kept images (best first), their scores, or why
/// the scorer gave none (then the first candidates were kept).
/// </summary>
public sealed record BestOfOutcome
{
    /// <summary>The candidates' generation, narrowed to the kept images; its error when it failed.</summary>
    public required GenerationOutcome Outcome { get; init; }

    /// <summary>How many candidates were generated (all charged).</summary>
    public required int Candidates { get; init; }

    /// <summary>The kept images' scores, in their order; null when the scorer failed or nothing was generated.</summary>
    public IReadOnlyList<double>? Scores { get; init; }

    /// <summary>Why the scorer gave no ranking, so the first candidates were kept.</summary>
    public string? ScorerFailure { get; init; }
}
