using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ImageOrleans.Grains.Batches;

/// <summary>
/// Expands a <see cref="BatchTemplate"/> over its variables into batch items: every <c>{name}</c> in any
/// string of the body takes the row's value of <c>name</c> (<c>{{</c> and <c>}}</c> are literal braces).
/// A placeholder with no value in a row, a missing or repeated <c>custom_id</c>, is an error naming the
/// line of the variables file and the placeholder or column.
/// </summary>
public static partial class TemplateExpander
{
    public static BatchInput Expand(BatchTemplate template, ReadOnlyMemory<byte> variables, int maxItems)
    {
        var (rows, unreadable) = VariablesReader.Read(variables);
        if (unreadable is not null)
        {
            return new BatchInput([], [unreadable]);
        }

        using var body = JsonDocument.Parse(template.BodyJson);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(body.RootElement, names);
        var lines = new List<BatchInputLine>();
        var errors = new List<BatchError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (errors.Count >= BatchInputParser.MaxReportedErrors)
            {
                break;
            }

            foreach (var name in names.Where(n => !row.Values.TryGetValue(n, out var value) || value.Length == 0))
            {
                errors.Add(Error("missing_placeholder_value", $"Line {row.Line} of the variables file has no value for the placeholder '{{{name}}}'.", row.Line));
            }

            var customId = $"row-{row.Line}";
            if (template.CustomIdColumn is { } column)
            {
                if (!row.Values.TryGetValue(column, out var id) || id.Length is 0 or > BatchInputParser.MaxCustomIdLength)
                {
                    errors.Add(Error("missing_custom_id", $"Line {row.Line} of the variables file has no value in the custom_id column '{column}'.", row.Line));
                    continue;
                }

                customId = id;
            }

            if (!seen.Add(customId))
            {
                errors.Add(Error("duplicate_custom_id", $"Line {row.Line} of the variables file repeats the custom_id '{customId}'.", row.Line));
                continue;
            }

            if (errors.Count == 0)
            {
                lines.Add(new BatchInputLine(row.Line, customId, Fill(body.RootElement, row.Values)));
            }
        }

        if (errors.Count == 0 && lines.Count == 0)
        {
            errors.Add(new BatchError { Code = "empty_file", Message = "The variables file has no rows.", Param = "input_file_id" });
        }

        if (errors.Count == 0 && lines.Count > maxItems)
        {
            errors.Add(new BatchError { Code = "too_many_requests", Message = $"The variables file has {lines.Count} rows; a batch may have at most {maxItems}." });
        }

        return new BatchInput(errors.Count == 0 ? lines : [], errors);
    }

    /// <summary>The placeholder names of a template body; for checking a template before any row is read.</summary>
    public static IReadOnlyCollection<string> Placeholders(JsonElement body)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(body, names);
        return names;
    }

    private static void Collect(JsonElement element, SortedSet<string> names)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, names);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, names);
                }

                break;
            case JsonValueKind.String:
                foreach (Match match in Placeholder().Matches(element.GetString()!))
                {
                    if (match.Groups["name"].Success)
                    {
                        names.Add(match.Groups["name"].Value);
                    }
                }

                break;
        }
    }

    private static byte[] Fill(JsonElement body, IReadOnlyDictionary<string, string> values)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            Write(json, body, values);
        }

        return stream.ToArray();
    }

    private static void Write(Utf8JsonWriter json, JsonElement element, IReadOnlyDictionary<string, string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    json.WritePropertyName(property.Name);
                    Write(json, property.Value, values);
                }

                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(json, item, values);
                }

                json.WriteEndArray();
                break;
            case JsonValueKind.String:
                json.WriteStringValue(Placeholder().Replace(element.GetString()!, match =>
                    match.Groups["name"].Success ? values[match.Groups["name"].Value] : match.Value[..1]));
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }

    private static BatchError Error(string code, string message, int line) => new() { Code = code, Message = message, Line = line, Param = "template" };

    [GeneratedRegex(@"\{\{|\}\}|\{(?<name>[A-Za-z0-9_.\-]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
