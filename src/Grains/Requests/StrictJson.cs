using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Grains.Requests;

/// <summary>
/// Parses a JSON request body that anyone may have written: every property name and string must be
/// text (valid UTF-8, no unpaired surrogate escape such as <c>"\ud800"</c>), no object may name a
/// property twice, and nesting is bounded. <see cref="JsonDocument"/> accepts such bytes and throws
/// only later, when a string is read; checking them all here turns each into a 400 that names the
/// field, so no reader further on can fail with a 500.
/// </summary>
public static class StrictJson
{
    public const int DefaultMaxDepth = 16;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static bool TryParse(
        ReadOnlyMemory<byte> body,
        [NotNullWhen(true)] out JsonDocument? document,
        [NotNullWhen(false)] out GatewayError? error,
        int maxDepth = DefaultMaxDepth)
    {
        document = null;

        // A UTF-8 byte order mark is legal in front of JSON text (RFC 8259 lets a parser ignore it).
        if (body.Span.StartsWith(Utf8Bom))
        {
            body = body[Utf8Bom.Length..];
        }

        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = GatewayErrors.InvalidJson("the body is empty; send a JSON object");
            return false;
        }

        error = Check(body.Span, maxDepth);
        if (error is not null)
        {
            return false;
        }

        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException ex)
        {
            // Check read the same bytes with the same limits; this is only a second line of defence.
            error = Unparsable(ex);
            return false;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = GatewayErrors.InvalidJson($"the body must be a JSON object, not {Describe(document.RootElement.ValueKind)}");
            document.Dispose();
            document = null;
            return false;
        }

        return true;
    }

    private static GatewayError? Check(ReadOnlySpan<byte> body, int maxDepth)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = maxDepth });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartObject, PathOfValue(frames)));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        AfterValue(frames);
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = frames[^1];
                        if (!TryGetString(ref reader, out var name))
                        {
                            return GatewayErrors.InvalidEncoding(frame.Path, string.Create(CultureInfo.InvariantCulture,
                                $"The property name {Where(frame.Path)}at byte {reader.TokenStartIndex}"));
                        }

                        var path = Join(frame.Path, name);
                        if (!frame.Names!.Add(name))
                        {
                            return GatewayErrors.DuplicateParameter(path);
                        }

                        frame.Current = path;
                        break;
                    case JsonTokenType.String:
                        var at = PathOfValue(frames);
                        if (!TryGetString(ref reader, out _))
                        {
                            return GatewayErrors.InvalidEncoding(at, string.Create(CultureInfo.InvariantCulture,
                                $"Invalid '{at ?? "body"}': the string at byte {reader.TokenStartIndex}"));
                        }

                        AfterValue(frames);
                        break;
                    default:
                        AfterValue(frames);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            return Unparsable(ex);
        }

        return null;
    }

    private static bool TryGetString(ref Utf8JsonReader reader, [NotNullWhen(true)] out string? value)
    {
        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // Invalid UTF-8 or an unpaired surrogate: System.Text.Json finds these only when transcoding.
            value = null;
            return false;
        }
    }

    private static GatewayError Unparsable(JsonException ex)
    {
        var where = ex.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $"invalid JSON at line {line + 1}, byte {ex.BytePositionInLine + 1}")
            : "invalid JSON";
        var reason = FirstSentence(ex.Message);
        return GatewayErrors.InvalidJson(reason.Length == 0 ? where : $"{where}: {reason}");
    }

    /// <summary>The reader's own explanation without its position suffix, in printable ASCII only.</summary>
    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = end < 0 ? message : message[..end];
        var clean = new StringBuilder(Math.Min(text.Length, 200));
        foreach (var c in text)
        {
            if (clean.Length == 200)
            {
                break;
            }

            clean.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return clean.ToString().Trim();
    }

    private static string? PathOfValue(List<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return null;
        }

        var frame = frames[^1];
        return frame.IsObject
            ? frame.Current
            : string.Create(CultureInfo.InvariantCulture, $"{frame.Path}[{frame.Index}]");
    }

    private static void AfterValue(List<Frame> frames)
    {
        if (frames.Count > 0 && !frames[^1].IsObject)
        {
            frames[^1].Index++;
        }
    }

    private static string Join(string? parent, string name) => parent is null ? name : $"{parent}.{name}";

    private static string Where(string? path) => path is null ? string.Empty : $"in '{path}' ";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => "an unknown value",
    };

    private sealed class Frame(bool isObject, string? path)
    {
        public bool IsObject { get; } = isObject;

        public string? Path { get; } = path;

        public HashSet<string>? Names { get; } = isObject ? new(StringComparer.Ordinal) : null;

        public string? Current { get; set; }

        public int Index { get; set; }
    }
}
