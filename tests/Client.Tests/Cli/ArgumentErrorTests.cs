using ImageOrleans.Client.Tests.Testing;

namespace ImageOrleans.Client.Tests.Cli;

public sealed class ArgumentErrorTests : IDisposable
{
    private readonly StubHttpMessageHandler _handler = new(_ => throw new InvalidOperationException("No request should be sent."));

    public void Dispose() => _handler.Dispose();

    public static TheoryData<string[], string> GenerateMistakes => new()
    {
        { ["generate"], "error: --prompt is required" },
        { ["generate", "--prompt", " "], "error: --prompt must not be empty" },
        { ["generate", "--prompt"], "error: Required argument missing for option: '--prompt'" },
        { ["generate", "--prompt", "--n", "2"], "error: Unrecognized command or argument '2'" },
        { ["generate", "--prompt", "fox", "--bogus", "1"], "error: Unrecognized command or argument '--bogus'" },
        { ["generate", "--prompt", "fox", "-p"], "error: Unrecognized command or argument '-p'" },
        { ["generate", "a red fox"], "error: Unrecognized command or argument 'a red fox'" },
        { ["generate", "--prompt", "fox", "--prompt", "cat"], "error: Option '--prompt' expects a single argument but 2 were provided" },
        { ["generate", "--prompt", "fox", "--n", "0"], "error: --n must be a whole number of 1 or more, not '0'" },
        { ["generate", "--prompt", "fox", "--n", "two"], "error: --n must be a whole number of 1 or more, not 'two'" },
        { ["generate", "--prompt", "fox", "--n", "-1"], "error: --n must be a whole number of 1 or more, not '-1'" },
        { ["generate", "--prompt", "fox", "--size", "big"], "error: --size must look like 1024x1024 or be auto, not 'big'" },
        { ["generate", "--prompt", "fox", "--size", "1024x"], "error: --size must look like 1024x1024 or be auto, not '1024x'" },
        { ["generate", "--prompt", "fox", "--quality", "ultra"], "error: --quality must be one of low, medium, high, auto, standard, hd, not 'ultra'" },
        { ["generate", "--prompt", "fox", "--format", "gif"], "error: --format must be one of png, jpeg, webp, not 'gif'" },
        { ["generate", "--prompt", "fox", "--priority", "urgent"], "error: --priority must be one of high, normal, low, not 'urgent'" },
        { ["generate", "--prompt", "fox", "--timeout-ms", "1.5"], "error: --timeout-ms must be a whole number of 1 or more, not '1.5'" },
        { ["generate", "--prompt", "fox", "--no-cache=yes"], "error: Unrecognized command or argument 'yes'" },
        { ["generate", "--prompt", "fox", "--no-cache", "--no-cache"], "error: --no-cache was given more than once" },
        { ["generate", "--prompt", "fox", "--model", ""], "error: --model must not be empty" },
        { ["generate", "--prompt", "fox", "--out", ""], "error: --out must not be empty" },
        { ["generate", "--prompt", "fox", "--base-url", "ftp://gw.test/v1"], "error: the base URL 'ftp://gw.test/v1' from --base-url is not an absolute http:// or https:// URL" },
        { ["generate", "--prompt", "fox", "--base-url", "gw.test/v1"], "error: the base URL 'gw.test/v1' from --base-url is not an absolute http:// or https:// URL" },
    };

    [Theory]
    [MemberData(nameof(GenerateMistakes))]
    public async Task GenerateMistakesExitWithTwoBeforeAnyRequest(string[] args, string expectedError)
    {
        var run = await CliRun.RunAsync(args, _handler);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal([expectedError, "Run 'imageorleans generate --help' for usage."], run.StderrLines);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task InvalidBaseUrlFromTheEnvironmentNamesTheVariable()
    {
        var run = await CliRun.RunAsync(
            ["models"], _handler, new Dictionary<string, string?> { ["IMAGEORLEANS_BASE_URL"] = "localhost:5000" });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            ["error: the base URL 'localhost:5000' from $IMAGEORLEANS_BASE_URL is not an absolute http:// or https:// URL",
             "Run 'imageorleans models --help' for usage."],
            run.StderrLines);
    }

    [Theory]
    [InlineData("draw", "error: unknown command 'draw'")]
    [InlineData("--verbose", "error: unknown option '--verbose'")]
    public async Task UnknownCommandsExitWithTwo(string command, string expectedError)
    {
        var run = await CliRun.RunAsync([command], _handler);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([expectedError, "Run 'imageorleans --help' for usage."], run.StderrLines);
    }

    [Fact]
    public async Task NoArgumentsPrintsUsageToStderrAndExitsWithTwo()
    {
        var run = await CliRun.RunAsync([], _handler);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("Usage: imageorleans <command> [options]", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrorsDoNotEchoTheKey()
    {
        const string secret = "sk-env-secret-1234";

        var run = await CliRun.RunAsync([secret], _handler, new Dictionary<string, string?> { ["IMAGEORLEANS_API_KEY"] = secret });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["error: unknown command '***'", "Run 'imageorleans --help' for usage."], run.StderrLines);
    }

    [Theory]
    [InlineData(new[] { "--help" }, "Usage: imageorleans <command> [options]")]
    [InlineData(new[] { "-h" }, "Usage: imageorleans <command> [options]")]
    [InlineData(new[] { "help" }, "Usage: imageorleans <command> [options]")]
    [InlineData(new[] { "generate", "--help" }, "Usage: imageorleans generate --prompt TEXT [options]")]
    [InlineData(new[] { "generate", "--bogus", "--n", "zero", "-h" }, "Usage: imageorleans generate --prompt TEXT [options]")]
    [InlineData(new[] { "help", "generate" }, "Usage: imageorleans generate --prompt TEXT [options]")]
    [InlineData(new[] { "models", "--help" }, "Usage: imageorleans models [options]")]
    [InlineData(new[] { "help", "models" }, "Usage: imageorleans models [options]")]
    public async Task HelpGoesToStdoutAndExitsWithZero(string[] args, string expectedFirstLine)
    {
        var run = await CliRun.RunAsync(args, _handler);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expectedFirstLine, run.StdoutLines[0]);
        Assert.Equal("", run.Stderr);
        Assert.Empty(_handler.Requests);
    }
}
