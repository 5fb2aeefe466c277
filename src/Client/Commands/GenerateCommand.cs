using System.Globalization;
using System.Text;
using ImageOrleans.Client.Cli;
using ImageOrleans.Client.Grpc;

namespace ImageOrleans.Client.Commands;

/// <summary><c>imageorleans generate</c>: generates images, saves them and prints where.</summary>
internal static class GenerateCommand
{
    public const string Name = "generate";

    public const string Usage = """
        Usage: imageorleans generate --prompt TEXT [options]

        Generates images and writes them to a folder, printing one file path per line. Files are named
        <request id>-<index> with the extension their bytes show (.png, .jpg or .webp). The request id and
        whether the gateway's cache answered go to stderr.

        Options:
          --prompt TEXT      What to draw. Required.
          --model NAME       Model, e.g. gpt-image-1. Default: the gateway's default.
          --n COUNT          How many images, 1 or more. Default: 1.
          --size WxH         Image size, e.g. 1024x1024, or auto.
          --quality LEVEL    low, medium, high, auto, standard or hd.
          --format FORMAT    png, jpeg or webp.
          --out DIR          Folder to write the images to, created if missing. Default: the current folder.
          --priority LEVEL   high, normal or low: where the request waits in the gateway's queue.
          --timeout-ms MS    How long the gateway may spend on the request, in milliseconds.
          --no-cache         Generate afresh rather than answer from the gateway's cache.
          --grpc URL         Send the request over the gateway's gRPC front door at URL (e.g. http://localhost:5001)
                             instead of HTTP; IMAGEORLEANS_GRPC_URL sets it too.
        """ + "\n" + ConnectionSettings.Help + """

          -h, --help         Show this help.
        """;

    private const string HelpCommand = "imageorleans generate --help";

    private const string PromptOption = "--prompt";
    private const string ModelOption = "--model";
    private const string CountOption = "--n";
    private const string SizeOption = "--size";
    private const string QualityOption = "--quality";
    private const string FormatOption = "--format";
    private const string OutOption = "--out";
    private const string PriorityOption = "--priority";
    private const string TimeoutOption = "--timeout-ms";
    private const string NoCacheOption = "--no-cache";
    private const string GrpcOption = "--grpc";
    private const string GrpcVariable = "IMAGEORLEANS_GRPC_URL";

    // Long enough for the gateway's own timeout to arrive as an error rather than be cut short by ours.
    private static readonly TimeSpan TimeoutGrace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private static readonly string[] ValueOptions =
    [
        PromptOption, ModelOption, CountOption, SizeOption, QualityOption, FormatOption, OutOption, PriorityOption,
        TimeoutOption, GrpcOption, ConnectionSettings.BaseUrlOption, ConnectionSettings.ApiKeyOption,
    ];

    private static readonly string[] FlagOptions = [NoCacheOption];
    private static readonly string[] Qualities = ["low", "medium", "high", "auto", "standard", "hd"];
    private static readonly string[] Formats = ["png", "jpeg", "webp"];
    private static readonly string[] Priorities = ["high", "normal", "low"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        var arguments = ArgumentParser.Parse(args, ValueOptions, FlagOptions, HelpCommand);
        if (arguments.HelpRequested)
        {
            await context.WriteOutputAsync(Usage);
            return ExitCodes.Success;
        }

        var request = BuildRequest(arguments);
        var outputDirectory = arguments.GetValue(OutOption) ?? ".";
        if (string.IsNullOrWhiteSpace(outputDirectory))
        {
            throw new CommandLineException($"{OutOption} must not be empty", HelpCommand);
        }

        var connection = ConnectionSettings.Resolve(arguments, context, HelpCommand);
        var timeout = request.TimeoutMs is { } timeoutMs ? TimeSpan.FromMilliseconds(timeoutMs) + TimeoutGrace : DefaultTimeout;

        using var httpClient = context.CreateHttpClient();
        var client = new ImageOrleansClient(httpClient, connection.ToClientOptions(timeout));
        var result = GrpcAddress(arguments, context) is { } grpc
            ? await GrpcImageGenerator.GenerateAsync(grpc, connection.ApiKey, request, timeout, context.Handler, cancellationToken)
            : await client.GenerateAsync(request, cancellationToken);
        if (result.Images.Count == 0)
        {
            throw new InvalidDataException("The gateway answered without any images.");
        }

        Directory.CreateDirectory(outputDirectory);
        var stem = FileStem(result);
        for (var index = 0; index < result.Images.Count; index++)
        {
            var image = result.Images[index];
            var bytes = image.Bytes
                ?? (image.Url is { } url ? await client.DownloadAsync(url, cancellationToken) : null)
                ?? throw new InvalidDataException($"Image {index} in the gateway's answer has neither b64_json nor url.");

            var path = Path.GetFullPath(Path.Combine(
                outputDirectory,
                string.Create(CultureInfo.InvariantCulture, $"{stem}-{index}{ImageFileFormat.SniffExtension(bytes)}")));
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            await context.WriteOutputAsync(path);
        }

        await context.WriteErrorAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"request_id={result.RequestId ?? "-"} cache={(result.CacheHit ? "hit" : "miss")} images={result.Images.Count}"));
        return ExitCodes.Success;
    }

    private static Uri? GrpcAddress(ParsedArguments arguments, CliContext context)
    {
        var value = arguments.GetValue(GrpcOption) ?? context.GetEnvironmentVariable(GrpcVariable);
        if (value is null)
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var address) && address.Scheme is "http" or "https"
            ? address
            : throw new CommandLineException($"{GrpcOption} must be an http or https URL such as http://localhost:5001, not '{value}'", HelpCommand);
    }

    private static ImageGenerationRequest BuildRequest(ParsedArguments arguments)
    {
        var prompt = arguments.GetValue(PromptOption);
        if (string.IsNullOrWhiteSpace(prompt))
        {
            throw new CommandLineException(
                prompt is null ? $"{PromptOption} is required" : $"{PromptOption} must not be empty", HelpCommand);
        }

        var format = arguments.GetValue(FormatOption);
        return new ImageGenerationRequest
        {
            Prompt = prompt,
            Model = NonEmpty(arguments, ModelOption),
            N = PositiveInteger(arguments, CountOption),
            Size = Size(arguments),
            Quality = OneOf(arguments, QualityOption, Qualities),

            // "jpg" is what people type; the API only knows "jpeg".
            OutputFormat = string.Equals(format, "jpg", StringComparison.OrdinalIgnoreCase) ? "jpeg" : OneOf(arguments, FormatOption, Formats),
            Priority = OneOf(arguments, PriorityOption, Priorities),
            TimeoutMs = PositiveInteger(arguments, TimeoutOption),
            NoCache = arguments.HasFlag(NoCacheOption),
        };
    }

    private static string? NonEmpty(ParsedArguments arguments, string option)
    {
        var value = arguments.GetValue(option);
        return value is null || !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new CommandLineException($"{option} must not be empty", HelpCommand);
    }

    private static int? PositiveInteger(ParsedArguments arguments, string option)
    {
        var value = arguments.GetValue(option);
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new CommandLineException($"{option} must be a whole number of 1 or more, not '{value}'", HelpCommand);
    }

    private static string? Size(ParsedArguments arguments)
    {
        var value = arguments.GetValue(SizeOption);
        if (value is null)
        {
            return null;
        }

        if (string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return "auto";
        }

        var parts = value.Split('x', 'X');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width > 0
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height) && height > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{width}x{height}")
            : throw new CommandLineException($"{SizeOption} must look like 1024x1024 or be auto, not '{value}'", HelpCommand);
    }

    private static string? OneOf(ParsedArguments arguments, string option, string[] allowed)
    {
        var value = arguments.GetValue(option);
        if (value is null)
        {
            return null;
        }

        return allowed.FirstOrDefault(candidate => string.Equals(candidate, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new CommandLineException($"{option} must be one of {string.Join(", ", allowed)}, not '{value}'", HelpCommand);
    }

    // The request id comes from the server, so it must not be able to steer the path (e.g. "../").
    private static string FileStem(ImageGenerationResult result)
    {
        var stem = new StringBuilder();
        foreach (var character in result.RequestId ?? "")
        {
            stem.Append(char.IsAsciiLetterOrDigit(character) || character is '-' or '_' ? character : '_');
        }

        return stem.Length > 0
            ? stem.ToString(0, Math.Min(stem.Length, 100))
            : string.Create(CultureInfo.InvariantCulture, $"image-{result.Created:yyyyMMdd-HHmmss}");
    }
}
