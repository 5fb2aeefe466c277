using System.Globalization;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Models;

namespace ImageOrleans.Grains.Requests;

/// <summary>
/// Checks a parsed request against the model catalogue and fills in the model's defaults. Rules come
/// from <see cref="ModelSpec"/> data; a model the catalogue does not know but the pool serves gets
/// the generic checks only.
/// </summary>
public sealed class ImageRequestValidator(ModelCatalogue catalogue)
{
    private const int GenericMaxN = 10;
    private const int GenericMaxPrompt = 32_000;
    private const int GenericMaxEdge = 8192;

    private const int MaxTokenLength = 32;

    /// <summary>
    /// Validates against the models the pool serves; the request carries the model's canonical
    /// spelling onwards: the catalogue's, else the one an account declared (matched case-insensitively).
    /// </summary>
    public bool TryValidate(
        ImageRequestInput input,
        string defaultModel,
        IReadOnlySet<string> served,
        out ValidatedImageRequest? validated,
        out GatewayError? error) =>
        TryValidate(input, defaultModel, model => DeclaredSpelling(served, model), out validated, out error);

    /// <summary>As above for an edit or variation: the fields are checked alike, and a variation has no prompt.</summary>
    public bool TryValidate(
        ImageRequestInput input,
        string defaultModel,
        IReadOnlySet<string> served,
        ImageOperation operation,
        out ValidatedImageRequest? validated,
        out GatewayError? error)
    {
        if (operation != ImageOperation.Variation)
        {
            return TryValidate(input, defaultModel, served, out validated, out error);
        }

        if (input.Prompt is not null)
        {
            validated = null;
            error = GatewayErrors.UnknownParameter("prompt");
            return false;
        }

        // A variation is checked like a request with a placeholder prompt, and carries none onwards.
        var ok = TryValidate(input with { Prompt = "variation" }, defaultModel, served, out validated, out error);
        validated = validated is null ? null : validated with { Request = validated.Request with { Prompt = string.Empty } };
        return ok;
    }

    /// <summary>As above, with only a yes/no for "served": an uncatalogued model keeps the client's spelling.</summary>
    public bool TryValidate(
        ImageRequestInput input,
        string defaultModel,
        Func<string, bool> isServed,
        out ValidatedImageRequest? validated,
        out GatewayError? error) =>
        TryValidate(input, defaultModel, model => isServed(model) ? model : null, out validated, out error);

    private bool TryValidate(
        ImageRequestInput input,
        string defaultModel,
        Func<string, string?> servedSpelling,
        out ValidatedImageRequest? validated,
        out GatewayError? error)
    {
        validated = null;
        error = Validate(input, defaultModel, servedSpelling, out var request, out var responseFormat);
        if (error is not null)
        {
            return false;
        }

        validated = new ValidatedImageRequest(request!, responseFormat);
        return true;
    }

    private GatewayError? Validate(
        ImageRequestInput input,
        string defaultModel,
        Func<string, string?> servedSpelling,
        out ImageRequest? request,
        out ResponseFormat responseFormat)
    {
        request = null;
        responseFormat = ResponseFormat.Base64Json;

        var model = input.Model?.Trim();
        if (input.Model is not null && string.IsNullOrEmpty(model))
        {
            return GatewayErrors.Invalid("model", "Invalid 'model': empty string. Name an image model such as 'gpt-image-2.6-flare'.", "empty_string");
        }

        model ??= defaultModel;

        if (input.Prompt is null)
        {
            return GatewayErrors.Missing("prompt");
        }

        if (string.IsNullOrWhiteSpace(input.Prompt))
        {
            return GatewayErrors.Invalid("prompt", "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty string instead.", "empty_string");
        }

        if (input.PartialImages is { } partials && (partials is < 0 or > 3))
        {
            return GatewayErrors.Invalid("partial_images", string.Create(CultureInfo.InvariantCulture,
                $"Invalid 'partial_images': expected an integer from 0 to 3, but got {partials} instead."), partials < 0 ? "integer_below_min_value" : "integer_above_max_value");
        }

        if (input.PartialImages is > 0 && !input.Stream)
        {
            return GatewayErrors.Invalid("partial_images", "Invalid 'partial_images': partial images are sent only on a streamed answer; also send 'stream': true.", "unsupported_parameter");
        }

        if (servedSpelling(model) is not { } declared)
        {
            return GatewayErrors.ModelNotFound(model);
        }

        model = catalogue.Canonical(model) ?? declared;

        if (!TryResponseFormat(input.ResponseFormat, out responseFormat))
        {
            return OneOf("response_format", input.ResponseFormat!, ["url", "b64_json"]);
        }

        var spec = catalogue.Find(model);
        if (input.Stream && spec is { SupportsStreaming: false })
        {
            return GatewayErrors.Invalid("stream", $"Invalid 'stream': the model {model} does not stream; send 'stream': false or omit it.", "unsupported_parameter");
        }

        var error = spec is null ? ValidateGeneric(input) : ValidateAgainst(spec, model, input);
        if (error is not null)
        {
            return error;
        }

        request = new ImageRequest
        {
            Model = model,
            Prompt = input.Prompt,
            N = input.N ?? 1,
            Size = input.Size ?? spec?.DefaultSize,
            Quality = input.Quality ?? spec?.DefaultQuality,
            Style = input.Style ?? (spec is { Styles.Count: > 0 } ? spec.DefaultStyle : null),
            Background = input.Background ?? (spec is { Backgrounds.Count: > 0 } ? "auto" : null),
            OutputFormat = input.OutputFormat ?? (spec is { OutputFormats.Count: > 0 } ? "png" : null),
            OutputCompression = input.OutputCompression,
            Moderation = input.Moderation ?? (spec is { Moderations.Count: > 0 } ? "auto" : null),
            User = input.User,
            AlwaysBase64 = spec?.AlwaysBase64 ?? false,
            Stream = input.Stream,
            PartialImages = input.Stream ? input.PartialImages : null,
        };
        return null;
    }

    private static GatewayError? ValidateAgainst(ModelSpec spec, string model, ImageRequestInput input)
    {
        if (input.Prompt!.Length > spec.MaxPromptLength)
        {
            return PromptTooLong(spec.MaxPromptLength, input.Prompt.Length);
        }

        if (input.N is { } n)
        {
            if (spec.MaxN == 1 && n != 1)
            {
                return GatewayErrors.Invalid("n", $"Invalid 'n': {model} only supports n=1.", "invalid_value");
            }

            if (CheckN(n, spec.MaxN) is { } nError)
            {
                return nError;
            }
        }

        if (input.Size is { } size && !SizeAllowed(spec, size))
        {
            return spec.FlexibleSize is { } rule
                ? GatewayErrors.Invalid("size", string.Create(CultureInfo.InvariantCulture,
                    $"Invalid 'size': '{size}'. Use one of {Quote(spec.Sizes)}, or WIDTHxHEIGHT with edges that are multiples of {rule.Multiple} between {rule.MinEdge} and {rule.MaxEdge}, {rule.MinPixels}–{rule.MaxPixels} pixels in total and an aspect ratio of at most {rule.MaxAspectRatio}:1."))
                : OneOf("size", size, spec.Sizes);
        }

        return CheckOption("quality", input.Quality, spec.Qualities, model)
            ?? CheckOption("style", input.Style, spec.Styles, model)
            ?? CheckOption("background", input.Background, spec.Backgrounds, model)
            ?? CheckOption("output_format", input.OutputFormat, spec.OutputFormats, model)
            ?? CheckOption("moderation", input.Moderation, spec.Moderations, model)
            ?? CheckCompression(spec, model, input)
            ?? CheckTransparency(input);
    }

    private static GatewayError? ValidateGeneric(ImageRequestInput input)
    {
        if (input.Prompt!.Length > GenericMaxPrompt)
        {
            return PromptTooLong(GenericMaxPrompt, input.Prompt.Length);
        }

        if (input.N is { } n && CheckN(n, GenericMaxN) is { } nError)
        {
            return nError;
        }

        if (input.Size is { } size && size != "auto"
            && (!TryParseSize(size, out var w, out var h) || w > GenericMaxEdge || h > GenericMaxEdge))
        {
            return GatewayErrors.Invalid("size", $"Invalid 'size': '{size}'. Expected 'auto' or WIDTHxHEIGHT, for example '1024x1024'.");
        }

        if (input.OutputCompression is { } compression and (< 0 or > 100))
        {
            return CompressionRange(compression);
        }

        // Passed through unchecked, these reach the upstream, the cache key and the usage records
        // (keyed "day|model|quality"), so they are held to a short, plain token.
        return CheckToken("quality", input.Quality)
            ?? CheckToken("style", input.Style)
            ?? CheckToken("background", input.Background)
            ?? CheckToken("output_format", input.OutputFormat)
            ?? CheckToken("moderation", input.Moderation);
    }

    private static GatewayError? CheckToken(string param, string? value) =>
        value is null || IsSafeToken(value)
            ? null
            : GatewayErrors.Invalid(param, string.Create(CultureInfo.InvariantCulture,
                $"Invalid '{param}': use 1 to {MaxTokenLength} letters, digits, '_', '.', ':' or '-', starting with a letter or digit."));

    /// <summary>Matches <c>^[a-z0-9][a-z0-9_.:-]{0,31}$</c>, case-insensitively.</summary>
    public static bool IsSafeToken(string value)
    {
        if (value.Length is 0 or > MaxTokenLength || !char.IsAsciiLetterOrDigit(value[0]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? DeclaredSpelling(IReadOnlySet<string> served, string model)
    {
        if (served is HashSet<string> set && set.TryGetValue(model, out var spelling))
        {
            return spelling;
        }

        foreach (var name in served)
        {
            if (string.Equals(name, model, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return null;
    }

    private static GatewayError? CheckN(int n, int max) => n switch
    {
        < 1 => GatewayErrors.Invalid("n", string.Create(CultureInfo.InvariantCulture,
            $"Invalid 'n': integer below minimum value. Expected a value >= 1, but got {n} instead."), "integer_below_min_value"),
        _ when n > max => GatewayErrors.Invalid("n", string.Create(CultureInfo.InvariantCulture,
            $"Invalid 'n': integer above maximum value. Expected a value <= {max}, but got {n} instead."), "integer_above_max_value"),
        _ => null,
    };

    private static GatewayError? CheckOption(string param, string? value, List<string> allowed, string model)
    {
        if (value is null)
        {
            return null;
        }

        if (allowed.Count == 0)
        {
            return GatewayErrors.Invalid(param, $"Invalid '{param}': the model {model} does not support this parameter.", "unsupported_parameter");
        }

        return allowed.Contains(value, StringComparer.Ordinal) ? null : OneOf(param, value, allowed);
    }

    private static GatewayError? CheckCompression(ModelSpec spec, string model, ImageRequestInput input)
    {
        if (input.OutputCompression is not { } compression)
        {
            return null;
        }

        if (!spec.SupportsOutputCompression)
        {
            return GatewayErrors.Invalid("output_compression", $"Invalid 'output_compression': the model {model} does not support this parameter.", "unsupported_parameter");
        }

        if (compression is < 0 or > 100)
        {
            return CompressionRange(compression);
        }

        return input.OutputFormat is "jpeg" or "webp"
            ? null
            : GatewayErrors.Invalid("output_compression", "Invalid 'output_compression': compression applies only when 'output_format' is 'jpeg' or 'webp'.", "unsupported_parameter");
    }

    private static GatewayError? CheckTransparency(ImageRequestInput input) =>
        input is { Background: "transparent", OutputFormat: "jpeg" }
            ? GatewayErrors.Invalid("background", "Invalid 'background': a transparent background needs 'output_format' 'png' or 'webp'; JPEG has no alpha channel.")
            : null;

    private static GatewayError CompressionRange(int compression) =>
        GatewayErrors.Invalid("output_compression", string.Create(CultureInfo.InvariantCulture,
            $"Invalid 'output_compression': expected an integer from 0 to 100, but got {compression} instead."));

    private static GatewayError PromptTooLong(int max, int actual) =>
        GatewayErrors.Invalid("prompt", string.Create(CultureInfo.InvariantCulture,
            $"Invalid 'prompt': string too long. Expected a string with maximum length {max}, but got a string with length {actual} instead."), "string_above_max_length");

    private static bool SizeAllowed(ModelSpec spec, string size)
    {
        if (spec.Sizes.Contains(size, StringComparer.Ordinal))
        {
            return true;
        }

        if (spec.FlexibleSize is not { } rule || !TryParseSize(size, out var width, out var height))
        {
            return false;
        }

        var pixels = (long)width * height;
        var aspect = (double)Math.Max(width, height) / Math.Min(width, height);
        return width % rule.Multiple == 0 && height % rule.Multiple == 0
            && width >= rule.MinEdge && height >= rule.MinEdge
            && width <= rule.MaxEdge && height <= rule.MaxEdge
            && pixels >= rule.MinPixels && pixels <= rule.MaxPixels
            && aspect <= rule.MaxAspectRatio;
    }

    /// <summary>Parses "WIDTHxHEIGHT" with positive integer edges.</summary>
    public static bool TryParseSize(string size, out int width, out int height)
    {
        width = height = 0;
        var x = size.IndexOf('x', StringComparison.Ordinal);
        return x > 0
            && int.TryParse(size.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(size.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out height)
            && width > 0 && height > 0;
    }

    private static bool TryResponseFormat(string? value, out ResponseFormat format)
    {
        switch (value)
        {
            case null or "b64_json":
                format = ResponseFormat.Base64Json;
                return true;
            case "url":
                format = ResponseFormat.Url;
                return true;
            default:
                format = ResponseFormat.Base64Json;
                return false;
        }
    }

    private static GatewayError OneOf(string param, string value, IReadOnlyCollection<string> allowed) =>
        GatewayErrors.Invalid(param, $"Invalid value: '{value}'. Supported values are: {Quote(allowed)}.");

    private static string Quote(IReadOnlyCollection<string> values)
    {
        var quoted = values.Select(v => $"'{v}'").ToList();
        return quoted.Count <= 1
            ? string.Join(string.Empty, quoted)
            : $"{string.Join(", ", quoted.Take(quoted.Count - 1))} and {quoted[^1]}";
    }
}
