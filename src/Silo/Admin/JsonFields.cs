using System.Globalization;
using System.Text.Json;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Api;

namespace ImageOrleans.Silo.Admin;

/// <summary>
/// Reads the fields of an admin request's JSON object one by one, so a field that is absent stays
/// untouched (a PATCH) and the first field of the wrong type or range is named in the error's
/// <c>param</c>. Unknown fields are refused, so a typo never passes for an applied change.
/// </summary>
public sealed class JsonFields
{
    private readonly JsonElement _root;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private JsonFields(JsonElement root) => _root = root;

    /// <summary>The first problem met; once set, later reads return null.</summary>
    public GatewayError? Error { get; private set; }

    /// <summary>Reads a JSON object body; an empty body counts as <c>{}</c> when <paramref name="emptyAllowed"/>.</summary>
    public static async Task<(JsonFields? Fields, GatewayError? Error)> ReadAsync(HttpRequest request, bool emptyAllowed = false)
    {
        if (emptyAllowed && request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType))
        {
            return (new JsonFields(JsonDocument.Parse("{}").RootElement), null);
        }

        var (body, error) = await JsonBody.ReadAsync(request, 64 * 1024);
        if (error is not null)
        {
            return (null, error);
        }

        if (emptyAllowed && body.Length == 0)
        {
            return (new JsonFields(JsonDocument.Parse("{}").RootElement), null);
        }

        if (!StrictJson.TryParse(body, out var document, out var invalid))
        {
            return (null, invalid);
        }

        using (document)
        {
            return (new JsonFields(document.RootElement.Clone()), null);
        }
    }

    public bool Has(string name)
    {
        _known.Add(name);
        return _root.TryGetProperty(name, out _);
    }

    /// <summary>True when the field is present and explicitly <c>null</c> (clear the setting).</summary>
    public bool IsNull(string name)
    {
        _known.Add(name);
        return Error is null && _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null;
    }

    public string? Text(string name, int maxLength = 1000)
    {
        if (Read(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return Fail<string>(GatewayErrors.WrongType(name, "a string", Describe(value)));
        }

        var text = value.GetString()!;
        return text.Length > maxLength
            ? Fail<string>(GatewayErrors.Invalid(name, $"'{name}' is longer than {maxLength} characters.", "string_above_max_length"))
            : text;
    }

    public int? WholeNumber(string name, int min, int max = int.MaxValue)
    {
        if (Read(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return FailValue<int>(GatewayErrors.WrongType(name, "an integer", Describe(value)));
        }

        if (!value.TryGetInt32(out var number))
        {
            // 2.0 is the integer 2; 2.5 is not an integer; 1e400 and 99999999999999999999 are out of range.
            var exact = value.TryGetDecimal(out var parsed) ? parsed : (decimal?)null;
            if (exact is not { } whole || whole != decimal.Truncate(whole) || whole is < int.MinValue or > int.MaxValue)
            {
                return FailValue<int>(exact is { } fraction && fraction != decimal.Truncate(fraction)
                    ? GatewayErrors.WrongType(name, "an integer", "a decimal number")
                    : OutOfRange(name, min, max));
            }

            number = (int)whole;
        }

        return number < min || number > max ? FailValue<int>(OutOfRange(name, min, max)) : number;
    }

    public decimal? Number(string name, decimal min, decimal max = decimal.MaxValue, bool exclusiveMin = false)
    {
        if (Read(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return FailValue<decimal>(GatewayErrors.WrongType(name, "a number", Describe(value)));
        }

        if (!value.TryGetDecimal(out var number))
        {
            return FailValue<decimal>(GatewayErrors.Invalid(name, $"'{name}' is out of range.", "number_out_of_range"));
        }

        return number < min || (exclusiveMin && number == min) || number > max
            ? FailValue<decimal>(GatewayErrors.Invalid(name, string.Create(CultureInfo.InvariantCulture,
                $"'{name}' must be {(exclusiveMin ? "greater than" : "at least")} {min}{(max == decimal.MaxValue ? string.Empty : $" and at most {max}")}."), "invalid_value"))
            : number;
    }

    public double? Real(string name, double min, double max = double.MaxValue)
    {
        var number = Number(name, (decimal)min, max >= (double)decimal.MaxValue ? decimal.MaxValue : (decimal)max, exclusiveMin: true);
        return number is null ? null : (double)number.Value;
    }

    public bool? Flag(string name)
    {
        if (Read(name) is not { } value)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => FailValue<bool>(GatewayErrors.WrongType(name, "a boolean", Describe(value))),
        };
    }

    public List<string>? Strings(string name)
    {
        if (Read(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            return Fail<List<string>>(GatewayErrors.WrongType(name, "an array of strings", Describe(value)));
        }

        return [.. value.EnumerateArray().Select(e => e.GetString()!)];
    }

    public List<int>? Ints(string name, int min, int max)
    {
        if (Read(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
        {
            return Fail<List<int>>(GatewayErrors.WrongType(name, "an array of integers", Describe(value)));
        }

        if (value.EnumerateArray().Any(e => !e.TryGetInt32(out _)))
        {
            return Fail<List<int>>(OutOfRange(name, min, max));
        }

        var numbers = value.EnumerateArray().Select(e => e.GetInt32()).ToList();
        return numbers.Any(n => n < min || n > max) ? Fail<List<int>>(OutOfRange(name, min, max)) : numbers;
    }

    public Dictionary<string, string>? StringMap(string name)
    {
        if (Read(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object || value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            return Fail<Dictionary<string, string>>(GatewayErrors.WrongType(name, "an object of strings", Describe(value)));
        }

        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in value.EnumerateObject())
        {
            if (!map.TryAdd(property.Name, property.Value.GetString()!))
            {
                return Fail<Dictionary<string, string>>(GatewayErrors.DuplicateParameter(name) with
                {
                    Message = $"'{name}' names '{property.Name}' more than once (names are case-insensitive).",
                });
            }
        }

        return map;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), mapped to its value.</summary>
    public T? Choice<T>(string name, IReadOnlyDictionary<string, T> allowed)
        where T : struct
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return allowed.TryGetValue(text.ToLowerInvariant(), out var chosen)
            ? chosen
            : FailValue<T>(GatewayErrors.Invalid(name, $"Invalid value for '{name}': '{text}'. Use one of: {string.Join(", ", allowed.Keys.Select(k => $"'{k}'"))}."));
    }

    /// <summary>Fails on the first field no reader asked for.</summary>
    public void RejectUnknown()
    {
        if (Error is not null)
        {
            return;
        }

        var unknown = _root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !_known.Contains(n));
        if (unknown is not null)
        {
            Error = GatewayErrors.UnknownParameter(unknown);
        }
    }

    /// <summary>Records a problem found after reading (a combination of fields), unless one came first.</summary>
    public void Fail(GatewayError error) => Error ??= error;

    private JsonElement? Read(string name)
    {
        _known.Add(name);
        if (Error is not null || !_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value;
    }

    private T? Fail<T>(GatewayError error)
        where T : class
    {
        Error ??= error;
        return null;
    }

    private T? FailValue<T>(GatewayError error)
        where T : struct
    {
        Error ??= error;
        return null;
    }

    private static GatewayError OutOfRange(string name, int min, int max) =>
        GatewayErrors.Invalid(name, max == int.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"'{name}' must be at least {min}.")
            : string.Create(CultureInfo.InvariantCulture, $"'{name}' must be between {min} and {max}."));

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
