using System.Globalization;
using System.Text;
using System.Text.Json;
using ImageOrleans.Client.Serialization;

namespace ImageOrleans.Client.Batches;

/// <summary>
/// Turns what a user has into a batch input file: a <c>.txt</c> of one prompt a line, a <c>.csv</c> with a
/// <c>prompt</c> column (and optionally <c>custom_id</c>, <c>model</c>, <c>size</c>, <c>quality</c>), or a
/// <c>.jsonl</c> already in OpenAI's batch format. A mistake is reported with its line number.
/// </summary>
public static class BatchInputBuilder
{
    /// <summary>The JSONL to upload and how many requests it holds.</summary>
    /// <exception cref="FormatException">A line cannot become a request; the message names it.</exception>
    public static (byte[] Jsonl, int Count) Build(string fileName, string content, BatchDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var lines = extension switch
        {
            ".txt" => FromText(content, defaults),
            ".csv" => FromCsv(content, defaults),
            ".jsonl" => FromJsonl(content),
            _ => throw new FormatException($"'{fileName}' is not .txt, .csv or .jsonl"),
        };

        if (lines.Count == 0)
        {
            throw new FormatException($"'{fileName}' holds no requests");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var jsonl = new StringBuilder();
        foreach (var (number, line) in lines)
        {
            if (!seen.Add(line.CustomId))
            {
                throw new FormatException($"line {number}: custom_id '{line.CustomId}' is used twice");
            }

            jsonl.Append(JsonSerializer.Serialize(line, ClientJsonContext.Default.BatchRequestLineBody)).Append('\n');
        }

        return (Encoding.UTF8.GetBytes(jsonl.ToString()), lines.Count);
    }

    private static List<(int, BatchRequestLineBody)> FromText(string content, BatchDefaults defaults)
    {
        var lines = new List<(int, BatchRequestLineBody)>();
        var number = 0;
        foreach (var line in content.Split('\n'))
        {
            number++;
            var prompt = line.Trim();
            if (prompt.Length > 0)
            {
                lines.Add((number, Line(string.Create(CultureInfo.InvariantCulture, $"line-{number}"), prompt, null, null, null, defaults)));
            }
        }

        return lines;
    }

    private static List<(int, BatchRequestLineBody)> FromCsv(string content, BatchDefaults defaults)
    {
        var rows = CsvReader.Read(content);
        if (rows.Count == 0)
        {
            return [];
        }

        var header = rows[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var prompt = header.IndexOf("prompt");
        if (prompt < 0)
        {
            throw new FormatException("line 1: the CSV header has no 'prompt' column");
        }

        int Column(string name) => header.IndexOf(name);
        string? Cell(List<string> fields, int index) => index >= 0 && index < fields.Count && fields[index].Length > 0 ? fields[index] : null;

        var lines = new List<(int, BatchRequestLineBody)>();
        foreach (var row in rows.Skip(1))
        {
            if (row.Fields.All(f => f.Trim().Length == 0))
            {
                continue;
            }

            var text = Cell(row.Fields, prompt) ?? throw new FormatException($"line {row.Line}: the 'prompt' cell is empty");
            var customId = Cell(row.Fields, Column("custom_id")) ?? string.Create(CultureInfo.InvariantCulture, $"row-{row.Line}");
            lines.Add((row.Line, Line(customId, text, Cell(row.Fields, Column("model")), Cell(row.Fields, Column("size")), Cell(row.Fields, Column("quality")), defaults)));
        }

        return lines;
    }

    private static List<(int, BatchRequestLineBody)> FromJsonl(string content)
    {
        var lines = new List<(int, BatchRequestLineBody)>();
        var number = 0;
        foreach (var line in content.Split('\n'))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            BatchRequestLineBody? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize(line, ClientJsonContext.Default.BatchRequestLineBody);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"line {number}: not a batch request line ({ex.Message})", ex);
            }

            if (parsed is null || string.IsNullOrEmpty(parsed.CustomId) || parsed.Body is null || string.IsNullOrWhiteSpace(parsed.Body.Prompt))
            {
                throw new FormatException($"line {number}: a batch request line needs custom_id and a body with a prompt");
            }

            lines.Add((number, parsed));
        }

        return lines;
    }

    private static BatchRequestLineBody Line(string customId, string prompt, string? model, string? size, string? quality, BatchDefaults defaults) => new()
    {
        CustomId = customId,
        Body = new ImageGenerationRequest
        {
            Prompt = prompt,
            Model = model ?? defaults.Model,
            Size = size ?? defaults.Size,
            Quality = quality ?? defaults.Quality,
        },
    };
}
