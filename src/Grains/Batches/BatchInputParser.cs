using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Batches;

/// <summary>
/// Reads a JSONL batch input file the way OpenAI does: every line an object with a unique
/// <c>custom_id</c>, <c>method</c> POST and the batch's <c>url</c>, and a <c>body</c> object. A line that
/// breaks these rules fails the whole batch (the errors name each line); what is wrong inside a body is
/// that item's own error, found when it runs.
/// </summary>
public static class BatchInputParser
{
    /// <summary>At most this many errors are reported for one file.</summary>
    public const int MaxReportedErrors = 100;

    public const int MaxCustomIdLength = 512;

    private const int MaxDepth = 32;

    public static BatchInput Parse(ReadOnlyMemory<byte> content, string endpoint, int maxItems)
    {
        var lines = new List<BatchInputLine>();
        var errors = new List<BatchError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        var rest = content.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? content[3..] : content;
        while (rest.Length > 0 && errors.Count < MaxReportedErrors)
        {
            number++;
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (line.Span.Trim("\r \t"u8).IsEmpty)
            {
                continue;
            }

            if (ReadLine(line, number, endpoint) is { } error)
            {
                errors.Add(error);
                continue;
            }

            var (customId, body) = Envelope(line);
            if (!seen.Add(customId))
            {
                errors.Add(Error("duplicate_custom_id", $"The custom_id '{customId}' is used on more than one line; each must be unique.", "custom_id", number));
                continue;
            }

            lines.Add(new BatchInputLine(number, customId, body));
        }

        if (errors.Count == 0 && lines.Count == 0)
        {
            errors.Add(Error("empty_file", "The input file has no request lines.", null, null));
        }

        if (errors.Count == 0 && lines.Count > maxItems)
        {
            errors.Add(Error("too_many_requests", $"The input file has {lines.Count} requests; a batch may have at most {maxItems}.", null, null));
        }

        return new BatchInput(errors.Count == 0 ? lines : [], errors);
    }

    private static BatchError? ReadLine(ReadOnlyMemory<byte> line, int number, string endpoint)
    {
        if (!StrictJson.TryParse(line, out var document, out var invalid, MaxDepth))
        {
            return Error("invalid_json_line", $"Line {number} is not a valid JSON object: {invalid.Message}", invalid.Param, number);
        }

        using (document)
        {
            var root = document.RootElement;

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("custom_id" or "method" or "url" or "body"))
                {
                    return Error("invalid_request", $"Line {number} has an unknown field '{property.Name}'.", property.Name, number);
                }
            }

            if (!root.TryGetProperty("custom_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 and <= MaxCustomIdLength })
            {
                return Error("missing_custom_id", $"Line {number} needs a 'custom_id' string of 1 to {MaxCustomIdLength} characters.", "custom_id", number);
            }

            if (!root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || method.GetString() != "POST")
            {
                return Error("invalid_method", $"Line {number}: 'method' must be \"POST\".", "method", number);
            }

            if (!root.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String || url.GetString() != endpoint)
            {
                return Error("mismatched_url", $"Line {number}: 'url' must be the batch's endpoint \"{endpoint}\".", "url", number);
            }

            if (!root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
            {
                return Error("missing_body", $"Line {number} needs a 'body' object with the request.", "body", number);
            }

            return null;
        }
    }

    private static (string CustomId, ReadOnlyMemory<byte> Body) Envelope(ReadOnlyMemory<byte> line)
    {
        using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = MaxDepth });
        var root = document.RootElement;
        return (root.GetProperty("custom_id").GetString()!, Encoding.UTF8.GetBytes(root.GetProperty("body").GetRawText()));
    }

    private static BatchError Error(string code, string message, string? param, int? line) =>
        new() { Code = code, Message = message, Param = param, Line = line };
}
