using System.Text.Json;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Batches;

/// <summary>
/// A batch item's <c>best_of</c> (how many candidates to generate) and <c>best_k</c> (how many of the best
/// to keep, default 1), taken out of its body before the body is read as an images request.
/// </summary>
public sealed record BestOf(int Candidates, int Keep)
{
    public const int MaxCandidates = 10;

    /// <summary>How many candidates a request may ask for: from 2 to <see cref="MaxCandidates"/>.</summary>
    public static bool IsValidCandidates(int candidates) => candidates is >= 2 and <= MaxCandidates;

    /// <summary>How many of the best a request may keep: at least 1 and fewer than the candidates.</summary>
    public static bool IsValidKeep(int keep, int candidates) => keep >= 1 && keep < candidates;

    /// <summary>The body without the two fields, and the request they make (null when neither is given).</summary>
    public static bool TrySplit(ReadOnlyMemory<byte> body, out ReadOnlyMemory<byte> rest, out BestOf? bestOf, out GatewayError? error)
    {
        rest = body;
        bestOf = null;
        error = null;
        if (!StrictJson.TryParse(body, out var document, out var invalid))
        {
            // The images request reader reports it, naming the field.
            return true;
        }

        using (document)
        {
            var root = document.RootElement;
            var hasN = root.TryGetProperty("best_of", out var n);
            var hasK = root.TryGetProperty("best_k", out var k);
            if (!hasN && !hasK)
            {
                return true;
            }

            if (!hasN || n.ValueKind != JsonValueKind.Number || !n.TryGetInt32(out var candidates) || !IsValidCandidates(candidates))
            {
                error = GatewayErrors.Invalid("best_of", $"'best_of' must be a whole number from 2 to {MaxCandidates}.");
                return false;
            }

            var keep = 1;
            if (hasK && (k.ValueKind != JsonValueKind.Number || !k.TryGetInt32(out keep) || !IsValidKeep(keep, candidates)))
            {
                error = GatewayErrors.Invalid("best_k", "'best_k' must be a whole number of at least 1 and below 'best_of'.");
                return false;
            }

            if (root.TryGetProperty("n", out var count) && !(count.ValueKind == JsonValueKind.Number && count.TryGetInt32(out var one) && one == 1))
            {
                error = GatewayErrors.Invalid("n", "With 'best_of', leave out 'n': the candidates are the images.");
                return false;
            }

            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("best_of" or "best_k" or "n")))
                {
                    property.WriteTo(json);
                }

                json.WriteEndObject();
            }

            rest = stream.ToArray();
            bestOf = new BestOf(candidates, keep);
            return true;
        }
    }
}
