using System.Text.RegularExpressions;

namespace ImageOrleans.Deployment.Tests;

/// <summary>The patterns of a <c>.dockerignore</c> (no <c>!</c> exceptions), to tell what the build context leaves out.</summary>
public sealed class DockerIgnore(IReadOnlyList<Regex> patterns)
{
    public static DockerIgnore Parse(string text) => new(
    [
        .. text.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(ToRegex),
    ]);

    /// <summary>Whether a path (relative to the context, '/' separated) or one of its parent folders is ignored.</summary>
    public bool Ignores(string path)
    {
        var parts = path.Trim('/').Split('/');
        for (var i = 1; i <= parts.Length; i++)
        {
            var prefix = string.Join('/', parts[..i]);
            if (patterns.Any(p => p.IsMatch(prefix)))
            {
                return true;
            }
        }

        return false;
    }

    private static Regex ToRegex(string pattern)
    {
        var body = Regex.Escape(pattern.Trim('/'))
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex($"^{body}$", RegexOptions.CultureInvariant);
    }
}
