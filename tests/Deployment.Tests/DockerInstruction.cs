namespace ImageOrleans.Deployment.Tests;

/// <summary>One instruction of a Dockerfile: its keyword, its stage, and its arguments (continuation lines joined).</summary>
public sealed record DockerInstruction(string Keyword, string Stage, string Arguments)
{
    /// <summary>The instructions of a Dockerfile, in order; comments and blank lines dropped.</summary>
    public static IReadOnlyList<DockerInstruction> Parse(string text)
    {
        var instructions = new List<DockerInstruction>();
        var stage = string.Empty;
        var pending = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var whole = (pending + line).Trim();
            pending = string.Empty;
            if (whole.Length == 0)
            {
                continue;
            }

            var space = whole.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? whole : whole[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : whole[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stage = words.Length >= 3 && words[^2].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[^1] : words[0];
            }

            instructions.Add(new DockerInstruction(keyword, stage, arguments));
        }

        return instructions;
    }

    /// <summary>The words of the arguments with the <c>--flag=value</c> options removed.</summary>
    public IReadOnlyList<string> Words => [.. Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal))];

    /// <summary>The value of option <c>--name=value</c>, or null.</summary>
    public string? Option(string name) =>
        Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.StartsWith($"--{name}=", StringComparison.Ordinal))
            .Select(w => w[(name.Length + 3)..])
            .FirstOrDefault();
}
