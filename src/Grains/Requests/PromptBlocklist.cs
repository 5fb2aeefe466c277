using System.Globalization;
using System.Text;
using ImageOrleans.Grains.Errors;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Requests;

/// <summary>
/// The blocked-terms check: prompt and terms are compared after folding (full-width forms, Latin
/// diacritics and ligatures, combining marks and invisible format characters, case, white space), so
/// "ＤＲÁＧＯＮ" and "dra\u200Bgon" match "dragon". A match refuses the request with 400
/// <c>prompt_blocked</c>, naming no term, so the list cannot be probed term by term.
/// </summary>
public sealed class PromptBlocklist
{
    private readonly string[] _global;
    private readonly Dictionary<string, string[]> _keys;
    private readonly Dictionary<string, string[]> _tenants;

    public PromptBlocklist(IOptions<ContentCheckOptions> options)
    {
        var value = options.Value;
        _global = Normalize(value.BlockedTerms);
        _keys = value.Keys.ToDictionary(k => k.Key, k => Normalize(k.Value), StringComparer.Ordinal);
        _tenants = value.Tenants.ToDictionary(t => t.Key, t => Normalize(t.Value), StringComparer.Ordinal);
    }

    public GatewayError? Check(string? prompt, string keyId, string tenant)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            return null;
        }

        var keyTerms = _keys.GetValueOrDefault(keyId) ?? [];
        var tenantTerms = _tenants.GetValueOrDefault(tenant) ?? [];
        if (_global.Length + keyTerms.Length + tenantTerms.Length == 0)
        {
            return null;
        }

        var normalized = Normalize(prompt);
        var blocked = _global.Concat(keyTerms).Concat(tenantTerms).Any(term => normalized.Contains(term, StringComparison.Ordinal));
        return blocked
            ? GatewayErrors.Invalid("prompt", "Your prompt contains terms this gateway does not accept for your key. Rephrase the prompt and try again.", "prompt_blocked")
            : null;
    }

    private static string[] Normalize(IEnumerable<string> terms) =>
        [.. terms.Select(Normalize).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)];

    // The silo runs with invariant globalization (no ICU), so string.Normalize cannot decompose
    // non-ASCII text: Latin letters with diacritics, full-width forms and ligatures are folded by table.
    private const string FoldFrom = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĲĳĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſßæÆøØđĐłŁœŒþÞðÐıħĦŧŦŋŊ";

    private static readonly string[] FoldTo = ["A", "A", "A", "A", "A", "A", "C", "E", "E", "E", "E", "I", "I", "I", "I", "N", "O", "O", "O", "O", "O", "U", "U", "U", "U", "Y", "a", "a", "a", "a", "a", "a", "c", "e", "e", "e", "e", "i", "i", "i", "i", "n", "o", "o", "o", "o", "o", "u", "u", "u", "u", "y", "y", "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g", "G", "g", "G", "g", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i", "I", "IJ", "ij", "J", "j", "K", "k", "L", "l", "L", "l", "L", "l", "N", "n", "N", "n", "N", "n", "O", "o", "O", "o", "O", "o", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s", "S", "s", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s", "ss", "ae", "ae", "o", "o", "d", "d", "l", "l", "oe", "oe", "th", "th", "d", "d", "i", "h", "h", "t", "t", "n", "n"];

    /// <summary>
    /// Full-width forms to ASCII, Latin letters without their diacritics, ligatures spelled out, combining
    /// marks and invisible format characters removed, case folded, white space collapsed to one space.
    /// </summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var original in text)
        {
            var c = original is >= '\uFF01' and <= '\uFF5E' ? (char)(original - 0xFEE0) : original == '\u3000' ? ' ' : original;
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.Format or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark)
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            var folded = FoldFrom.IndexOf(c, StringComparison.Ordinal);
            if (folded >= 0)
            {
                builder.Append(FoldTo[folded].ToLowerInvariant());
            }
            else if (c is '\uFB00' or '\uFB01' or '\uFB02' or '\uFB03' or '\uFB04')
            {
                builder.Append(c switch { '\uFB00' => "ff", '\uFB01' => "fi", '\uFB02' => "fl", '\uFB03' => "ffi", _ => "ffl" });
            }
            else
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }
}
