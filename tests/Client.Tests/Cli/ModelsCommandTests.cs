using System.Net;
using ImageOrleans.Client.Tests.Testing;

namespace ImageOrleans.Client.Tests.Cli;

public sealed class ModelsCommandTests
{
    [Fact]
    public async Task PrintsOneModelIdPerLine()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Json(
            HttpStatusCode.OK, """{"object":"list","data":[{"id":"gpt-image-1"},{"id":"dall-e-3"}]}"""));

        var run = await CliRun.RunAsync(
            ["models"],
            handler,
            new Dictionary<string, string?> { ["IMAGEORLEANS_API_KEY"] = "sk-models", ["OPENAI_BASE_URL"] = "https://gw.test/v1" });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["gpt-image-1", "dall-e-3"], run.StdoutLines);
        Assert.Equal("", run.Stderr);
        Assert.Equal("https://gw.test/v1/models", handler.SingleRequest.Uri.AbsoluteUri);
        Assert.Equal("Bearer sk-models", handler.SingleRequest.Header("Authorization"));
    }

    [Fact]
    public async Task ApiErrorExitsWithOne()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Error(
            HttpStatusCode.Unauthorized, "You didn't provide an API key.", "invalid_request_error", "missing_api_key"));

        var run = await CliRun.RunAsync(["models"], handler);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            ["error: HTTP 401 (type: invalid_request_error, code: missing_api_key): You didn't provide an API key."],
            run.StderrLines);
    }

    [Fact]
    public async Task GenerationOptionsAreNotAccepted()
    {
        var handler = new StubHttpMessageHandler(_ => throw new InvalidOperationException("No request should be sent."));

        var run = await CliRun.RunAsync(["models", "--prompt", "fox"], handler);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["error: Unrecognized command or argument '--prompt'", "Run 'imageorleans models --help' for usage."], run.StderrLines);
    }
}
