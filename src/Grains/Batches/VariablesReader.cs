using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Batches;

/// <summary>Reads a template's variables: CSV with a header row, or JSONL objects; each row with its 1-based line number.</summary>
public static class VariablesReader
{
    public sealed record Row(int Line, IReadOnlyDictionary<string, string> Values);

    /// <summary>The rows, or the error that makes the file unreadable (naming its line).</summary>
    public static (IReadOnlyList<Row> Rows, BatchError? Error) Read(ReadOnlyMemory<byte> content)
    {
        var text = Encoding.UTF8.GetString(content.Span).TrimStart('\uFEFF');
        return text.TrimStart().StartsWith('{') ? ReadJsonl(text) : ReadCsv(text);
    }

    private static (IReadOnlyList<Row>, BatchError?) ReadJsonl(string text)
    {
        var rows = new List<Row>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (!StrictJson.TryParse(Encoding.UTF8.GetBytes(line), out var document, out var invalid))
            {
                return ([], Error("invalid_variables", $"Line {number} of the variables file is not a JSON object: {invalid.Message}", number));
            }

            using (document)
            {
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                        JsonValueKind.Null => string.Empty,
                        _ => null!,
                    };
                    if (values[property.Name] is null)
                    {
                        return ([], Error("invalid_variables", $"Line {number}: '{property.Name}' must be a string, number or boolean.", number));
                    }
                }

                rows.Add(new Row(number, values));
            }
        }

        return (rows, null);
    }

    private static (IReadOnlyList<Row>, BatchError?) ReadCsv(string text)
    {
        var records = new List<(int Line, List<string> Fields)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var (quoted, line, start) = (false, 1, 1);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                records.Add((start, fields));
                fields = [];
                start = ++line;
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            return ([], Error("invalid_variables", $"Line {start} of the variables file opens a quoted field that is never closed.", start));
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString().TrimEnd('\r'));
            records.Add((start, fields));
        }

        if (records.Count == 0)
        {
            return ([], null);
        }

        var header = records[0].Fields.Select(h => h.Trim()).ToList();
        var rows = new List<Row>();
        foreach (var (number, cells) in records.Skip(1))
        {
            if (cells.All(c => c.Trim().Length == 0))
            {
                continue;
            }

            if (cells.Count > header.Count)
            {
                return ([], Error("invalid_variables", $"Line {number} of the variables file has {cells.Count} cells; the header names {header.Count}.", number));
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < cells.Count; i++)
            {
                values[header[i]] = cells[i];
            }

            rows.Add(new Row(number, values));
        }

        return (rows, null);
    }

    private static BatchError Error(string code, string message, int line) => new() { Code = code, Message = message, Line = line, Param = "input_file_id" };
}
