using System.Globalization;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// Best-of-N on the live images API: asked for with <c>x-imageorleans-best-of: N</c> (and
/// <c>x-imageorleans-best-k: k</c>, the batch line's <c>best_of</c>/<c>best_k</c>), answered with the kept
/// images' scores in <c>x-imageorleans-scores</c>, or <c>x-imageorleans-scorer-failed</c> when the scorer gave none.
/// </summary>
public static class BestOfHeaders
{
    public const string BestOfHeader = "x-imageorleans-best-of";
    public const string KeepHeader = "x-imageorleans-best-k";
    public const string ScoresHeader = "x-imageorleans-scores";
    public const string ScorerFailedHeader = "x-imageorleans-scorer-failed";

    /// <summary>The best-of the request asks for (null when it asks for none), or why it cannot have it.</summary>
    public static GatewayError? Read(IHeaderDictionary headers, ImageRequestInput input, bool scorerConfigured, out BestOf? bestOf)
    {
        bestOf = null;
        var hasN = headers.TryGetValue(BestOfHeader, out var n);
        var hasK = headers.TryGetValue(KeepHeader, out var k);
        if (!hasN && !hasK)
        {
            return null;
        }

        if (!hasN || !TryReadCount(n.ToString(), out var candidates) || !BestOf.IsValidCandidates(candidates))
        {
            return GatewayErrors.Invalid(BestOfHeader, $"Invalid '{BestOfHeader}' header: give a whole number from 2 to {BestOf.MaxCandidates}.");
        }

        var keep = 1;
        if (hasK && (!TryReadCount(k.ToString(), out keep) || !BestOf.IsValidKeep(keep, candidates)))
        {
            return GatewayErrors.Invalid(KeepHeader, $"Invalid '{KeepHeader}' header: give a whole number of at least 1 and below '{BestOfHeader}'.");
        }

        if (!scorerConfigured)
        {
            return GatewayErrors.Invalid(BestOfHeader,
                $"'{BestOfHeader}' needs a scorer, and this gateway has none configured (ImageOrleans:BestOf:ScorerUrl).", "scorer_not_configured");
        }

        if (input.Stream)
        {
            return GatewayErrors.Invalid(BestOfHeader,
                $"The '{BestOfHeader}' header cannot be used with 'stream': true; the candidates are scored once all are made.", "unsupported_parameter");
        }

        if (input.N is { } count && count != 1)
        {
            return GatewayErrors.Invalid("n", $"With '{BestOfHeader}', leave out 'n': the candidates are the images.");
        }

        bestOf = new BestOf(candidates, keep);
        return null;
    }

    /// <summary>The kept images' scores, best first, or why the scorer gave none.</summary>
    public static void Write(HttpResponse response, BestOfOutcome best)
    {
        if (best.Scores is { } scores)
        {
            response.Headers[ScoresHeader] = string.Join(',', scores.Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
        }

        if (best.ScorerFailure is { } failure)
        {
            response.Headers[ScorerFailedHeader] = failure;
        }
    }

    private static bool TryReadCount(string value, out int count) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out count);
}
