using System.Net;
using ImageOrleans.Client.Tests.Testing;

namespace ImageOrleans.Client.Tests.Cli;

public sealed class GenerateCommandTests : IDisposable
{
    private const string ApiKey = "sk-cli-test-7f3a9c";
    private readonly TempDirectory _output = new();

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task WritesEachImageUnderItsSniffedExtensionAndPrintsThePaths()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images(
            [TestImages.Png, TestImages.Jpeg, TestImages.Webp],
            ("x-request-id", "req_abc123"),
            ("x-imageorleans-cache", "hit")));

        var run = await CliRun.RunAsync(Args("--n", "3"), handler);

        Assert.Equal(0, run.ExitCode);
        string[] expected = [OutputPath("req_abc123-0.png"), OutputPath("req_abc123-1.jpg"), OutputPath("req_abc123-2.webp")];
        Assert.Equal(expected, run.StdoutLines);
        Assert.Equal(TestImages.Png, await File.ReadAllBytesAsync(expected[0]));
        Assert.Equal(TestImages.Jpeg, await File.ReadAllBytesAsync(expected[1]));
        Assert.Equal(TestImages.Webp, await File.ReadAllBytesAsync(expected[2]));
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.GetFiles(_output.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["request_id=req_abc123 cache=hit images=3"], run.StderrLines);
    }

    [Fact]
    public async Task SendsEveryOptionToTheGateway()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Jpeg], ("x-request-id", "req_1")));

        var run = await CliRun.RunAsync(
            Args(
                "--model", "gpt-image-1", "--n", "1", "--size", "1536x1024", "--quality", "LOW", "--format", "jpg",
                "--priority", "high", "--timeout-ms", "60000", "--no-cache", "--base-url", "http://gw.test:8080/v1"),
            handler);

        Assert.Equal(0, run.ExitCode);
        var request = handler.SingleRequest;
        Assert.Equal("http://gw.test:8080/v1/images/generations", request.Uri.AbsoluteUri);
        Assert.Equal(
            """{"model":"gpt-image-1","prompt":"a red fox","n":1,"size":"1536x1024","quality":"low","output_format":"jpeg"}""",
            request.Body);
        Assert.Equal($"Bearer {ApiKey}", request.Header("Authorization"));
        Assert.Equal("high", request.Header("x-imageorleans-priority"));
        Assert.Equal("60000", request.Header("x-imageorleans-timeout-ms"));
        Assert.Equal("no-cache", request.Header("Cache-Control"));
        Assert.Equal(["request_id=req_1 cache=miss images=1"], run.StderrLines);
    }

    [Fact]
    public async Task AcceptsOptionValuesAfterAnEqualsSign()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png], ("x-request-id", "req_2")));

        var run = await CliRun.RunAsync(
            ["generate", "--prompt=a red fox", "--size=auto", $"--out={_output.Path}", $"--api-key={ApiKey}"], handler);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"prompt":"a red fox","size":"auto"}""", handler.SingleRequest.Body);
        Assert.Equal([OutputPath("req_2-0.png")], run.StdoutLines);
    }

    [Fact]
    public async Task DownloadsImagesTheGatewayReturnsAsUrls()
    {
        var handler = new StubHttpMessageHandler(request => request.Uri.AbsolutePath switch
        {
            "/v1/images/generations" => Responses.Json(
                HttpStatusCode.OK,
                """{"created":1700000000,"data":[{"url":"https://cdn.test/one"},{"url":"/v1/images/files/two"}]}""",
                ("x-request-id", "req_url")),
            "/one" => Responses.Bytes(TestImages.Webp),
            "/v1/images/files/two" => Responses.Bytes(TestImages.Png),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        });

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([OutputPath("req_url-0.webp"), OutputPath("req_url-1.png")], run.StdoutLines);
        Assert.Equal(TestImages.Webp, await File.ReadAllBytesAsync(OutputPath("req_url-0.webp")));
        Assert.Equal(TestImages.Png, await File.ReadAllBytesAsync(OutputPath("req_url-1.png")));
        Assert.Equal(
            ["http://localhost:5000/v1/images/generations", "https://cdn.test/one", "http://localhost:5000/v1/images/files/two"],
            handler.Requests.Select(request => request.Uri.AbsoluteUri));
        Assert.Null(handler.Requests[1].Header("Authorization"));
        Assert.Equal($"Bearer {ApiKey}", handler.Requests[2].Header("Authorization"));
    }

    [Fact]
    public async Task UnrecognisedBytesAreSavedAsBin()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([[1, 2, 3]], ("x-request-id", "req_bin")));

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([OutputPath("req_bin-0.bin")], run.StdoutLines);
    }

    [Fact]
    public async Task CreatesTheOutputFolderAndKeepsFilesInsideItWhateverTheRequestId()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png], ("x-request-id", "../../etc/passwd")));
        var nested = Path.Combine(_output.Path, "a", "b");

        var run = await CliRun.RunAsync(["generate", "--prompt", "fox", "--out", nested, "--api-key", ApiKey], handler);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([Path.Combine(nested, "______etc_passwd-0.png")], run.StdoutLines);
        Assert.True(File.Exists(Path.Combine(nested, "______etc_passwd-0.png")));
    }

    [Fact]
    public async Task NamesFilesAfterTheCreationTimeWhenThereIsNoRequestId()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([OutputPath("image-20231114-221320-0.png")], run.StdoutLines);
        Assert.Equal(["request_id=- cache=miss images=1"], run.StderrLines);
    }

    [Theory]
    [InlineData("sk-from-arg", "sk-imageorleans", "sk-openai", "Bearer sk-from-arg")]
    [InlineData(null, "sk-imageorleans", "sk-openai", "Bearer sk-imageorleans")]
    [InlineData(null, null, "sk-openai", "Bearer sk-openai")]
    [InlineData(null, "  ", "sk-openai", "Bearer sk-openai")]
    [InlineData(null, null, null, null)]
    public async Task ApiKeyFallsBackToTheEnvironment(string? argument, string? imageOrleansKey, string? openAiKey, string? expected)
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));
        string[] args = argument is null
            ? ["generate", "--prompt", "fox", "--out", _output.Path]
            : ["generate", "--prompt", "fox", "--out", _output.Path, "--api-key", argument];

        var run = await CliRun.RunAsync(
            args, handler, new Dictionary<string, string?> { ["IMAGEORLEANS_API_KEY"] = imageOrleansKey, ["OPENAI_API_KEY"] = openAiKey });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, handler.SingleRequest.Header("Authorization"));
    }

    [Theory]
    [InlineData("http://arg.test/v1", "http://io.test/v1", "http://openai.test/v1", "http://arg.test/v1/images/generations")]
    [InlineData(null, "http://io.test/v1/", "http://openai.test/v1", "http://io.test/v1/images/generations")]
    [InlineData(null, null, "https://openai.test/api/v1", "https://openai.test/api/v1/images/generations")]
    [InlineData(null, null, null, "http://localhost:5000/v1/images/generations")]
    public async Task BaseUrlFallsBackToTheEnvironmentThenLocalhost(string? argument, string? imageOrleansUrl, string? openAiUrl, string expected)
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));
        string[] args = argument is null ? Args() : Args("--base-url", argument);

        var run = await CliRun.RunAsync(
            args, handler, new Dictionary<string, string?> { ["IMAGEORLEANS_BASE_URL"] = imageOrleansUrl, ["OPENAI_BASE_URL"] = openAiUrl });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, handler.SingleRequest.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task ApiErrorExitsWithOneAndReportsStatusTypeCodeAndParam()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Error(
            HttpStatusCode.BadRequest, "Invalid size '7x7'.", "invalid_request_error", "invalid_value", "size"));

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal(
            ["error: HTTP 400 (type: invalid_request_error, code: invalid_value, param: size): Invalid size '7x7'."],
            run.StderrLines);
        Assert.Empty(Directory.GetFiles(_output.Path));
    }

    [Fact]
    public async Task RateLimitErrorSaysWhenToRetry()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Error(
            HttpStatusCode.TooManyRequests, "Slow down.", "rate_limit_error", "rate_limit_exceeded", headers: ("Retry-After", "20")));

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            ["error: HTTP 429 (type: rate_limit_error, code: rate_limit_exceeded, retry after 20s): Slow down."],
            run.StderrLines);
    }

    [Fact]
    public async Task UnreachableGatewayExitsWithOne()
    {
        var handler = new StubHttpMessageHandler(_ => throw new HttpRequestException("Connection refused (gw.test:5000)"));

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["error: could not reach the gateway: Connection refused (gw.test:5000)"], run.StderrLines);
    }

    [Fact]
    public async Task AnswerWithoutImagesExitsWithOne()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Json(HttpStatusCode.OK, """{"created":1700000000,"data":[]}"""));

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["error: The gateway answered without any images."], run.StderrLines);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheKeyIsNeverPrintedEvenWhenTheGatewayQuotesIt(bool keyFromEnvironment)
    {
        const string secret = "sk-very-secret-0042";
        var handler = StubHttpMessageHandler.Always(() => Responses.Error(
            HttpStatusCode.Unauthorized, $"Incorrect API key provided: {secret}.", "invalid_request_error", "invalid_api_key"));
        string[] args = keyFromEnvironment
            ? ["generate", "--prompt", "fox", "--out", _output.Path]
            : ["generate", "--prompt", "fox", "--out", _output.Path, "--api-key", secret];
        var environment = new Dictionary<string, string?> { ["OPENAI_API_KEY"] = keyFromEnvironment ? secret : null };

        var run = await CliRun.RunAsync(args, handler, environment);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            ["error: HTTP 401 (type: invalid_request_error, code: invalid_api_key): Incorrect API key provided: ***."],
            run.StderrLines);
        Assert.DoesNotContain(secret, run.Stdout, StringComparison.Ordinal);
        Assert.Equal($"Bearer {secret}", handler.SingleRequest.Header("Authorization"));
    }

    [Fact]
    public async Task TheKeyIsNotPrintedOnSuccessEither()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png], ("x-request-id", "req_ok")));

        var run = await CliRun.RunAsync(Args(), handler);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(ApiKey, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    private string[] Args(params string[] extra) =>
        ["generate", "--prompt", "a red fox", "--out", _output.Path, "--api-key", ApiKey, .. extra];

    private string OutputPath(string fileName) => Path.Combine(_output.Path, fileName);
}
