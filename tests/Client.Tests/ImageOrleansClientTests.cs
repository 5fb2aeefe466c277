using System.Net;
using ImageOrleans.Client.Tests.Testing;

namespace ImageOrleans.Client.Tests;

public sealed class ImageOrleansClientTests
{
    private const string ApiKey = "sk-test-0123456789";
    private static readonly Uri BaseAddress = new("http://gateway.test/v1/");

    [Fact]
    public async Task GenerateSendsSnakeCaseJsonWithNullsOmitted()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));

        await CreateClient(handler).GenerateAsync(new ImageGenerationRequest
        {
            Model = "gpt-image-1",
            Prompt = "a red fox",
            N = 2,
            Size = "1024x1024",
            OutputFormat = "webp",
            OutputCompression = 80,
            ResponseFormat = "b64_json",
            Priority = "high",
            TimeoutMs = 1000,
            NoCache = true,
            IdempotencyKey = "key-1",
        });

        var request = handler.SingleRequest;
        Assert.Equal(
            """{"model":"gpt-image-1","prompt":"a red fox","n":2,"size":"1024x1024","output_format":"webp","output_compression":80,"response_format":"b64_json"}""",
            request.Body);
        Assert.Equal("application/json", request.Header("Content-Type"));
    }

    [Fact]
    public async Task GenerateSendsEveryBodyFieldUnderItsOpenAiName()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));

        await CreateClient(handler).GenerateAsync(new ImageGenerationRequest
        {
            Model = "m",
            Prompt = "p",
            N = 1,
            Size = "s",
            Quality = "q",
            Background = "b",
            OutputFormat = "o",
            OutputCompression = 5,
            Moderation = "low",
            ResponseFormat = "url",
            Style = "vivid",
            User = "u",
        });

        Assert.Equal(
            """{"model":"m","prompt":"p","n":1,"size":"s","quality":"q","background":"b","output_format":"o","output_compression":5,"moderation":"low","response_format":"url","style":"vivid","user":"u"}""",
            handler.SingleRequest.Body);
    }

    [Fact]
    public async Task GeneratePostsToImagesGenerationsWithAuthAndGatewayHeaders()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));

        await CreateClient(handler).GenerateAsync(new ImageGenerationRequest
        {
            Prompt = "a red fox",
            Priority = "low",
            TimeoutMs = 45000,
            NoCache = true,
            IdempotencyKey = "retry-42",
        });

        var request = handler.SingleRequest;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://gateway.test/v1/images/generations", request.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {ApiKey}", request.Header("Authorization"));
        Assert.Equal("low", request.Header("x-imageorleans-priority"));
        Assert.Equal("45000", request.Header("x-imageorleans-timeout-ms"));
        Assert.Equal("no-cache", request.Header("Cache-Control"));
        Assert.Equal("retry-42", request.Header("Idempotency-Key"));
        Assert.Equal("""{"prompt":"a red fox"}""", request.Body);
    }

    [Fact]
    public async Task GenerateWithoutExtrasOrKeySendsNoOptionalHeaders()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));

        await CreateClient(handler, apiKey: "").GenerateAsync(new ImageGenerationRequest { Prompt = "a red fox" });

        var request = handler.SingleRequest;
        Assert.Null(request.Header("Authorization"));
        Assert.Null(request.Header("x-imageorleans-priority"));
        Assert.Null(request.Header("x-imageorleans-timeout-ms"));
        Assert.Null(request.Header("Cache-Control"));
        Assert.Null(request.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task BaseAddressWithoutTrailingSlashKeepsItsVersionSegment()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png]));
        var options = new ImageOrleansClientOptions { BaseAddress = new Uri("http://gateway.test/v1"), ApiKey = ApiKey };

        await new ImageOrleansClient(new HttpClient(handler), options).GenerateAsync(new ImageGenerationRequest { Prompt = "x" });

        Assert.Equal("http://gateway.test/v1/images/generations", handler.SingleRequest.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task GenerateDecodesBase64ImagesAndReadsTheResponseHeaders()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Json(
            HttpStatusCode.OK,
            $$$"""
            {
              "created": 1700000000,
              "data": [
                { "b64_json": "{{{Convert.ToBase64String(TestImages.Png)}}}", "revised_prompt": "a red fox, detailed" },
                { "b64_json": "{{{Convert.ToBase64String(TestImages.Jpeg)}}}" }
              ],
              "usage": {"total_tokens": 100, "input_tokens_details": {"text_tokens": 10}}
            }
            """,
            ("x-request-id", "req_123"),
            ("x-imageorleans-cache", "HIT")));

        var result = await CreateClient(handler).GenerateAsync(new ImageGenerationRequest { Prompt = "a red fox" });

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), result.Created);
        Assert.Equal(2, result.Images.Count);
        Assert.Equal(TestImages.Png, result.Images[0].Bytes);
        Assert.Equal("a red fox, detailed", result.Images[0].RevisedPrompt);
        Assert.Null(result.Images[0].Url);
        Assert.Equal(TestImages.Jpeg, result.Images[1].Bytes);
        Assert.Null(result.Images[1].RevisedPrompt);
        Assert.Equal("""{"total_tokens": 100, "input_tokens_details": {"text_tokens": 10}}""", result.UsageJson);
        Assert.Equal("req_123", result.RequestId);
        Assert.True(result.CacheHit);
    }

    [Fact]
    public async Task GenerateWithoutGatewayHeadersReportsNoRequestIdAndACacheMiss()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Images([TestImages.Png], ("x-imageorleans-cache", "miss")));

        var result = await CreateClient(handler).GenerateAsync(new ImageGenerationRequest { Prompt = "a red fox" });

        Assert.Null(result.RequestId);
        Assert.False(result.CacheHit);
        Assert.Null(result.UsageJson);
    }

    [Fact]
    public async Task GenerateResolvesImageUrlsAgainstTheBaseAddress()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Json(
            HttpStatusCode.OK,
            """{"created":1700000000,"data":[{"url":"https://cdn.test/a.png"},{"url":"/v1/images/files/b.png?sig=1"}]}"""));

        var result = await CreateClient(handler).GenerateAsync(new ImageGenerationRequest { Prompt = "a red fox" });

        Assert.Equal([new Uri("https://cdn.test/a.png"), new Uri("http://gateway.test/v1/images/files/b.png?sig=1")], result.Images.Select(image => image.Url));
        Assert.All(result.Images, image => Assert.Null(image.Bytes));
    }

    [Fact]
    public async Task GenerateThrowsWhenASuccessfulAnswerCannotBeRead()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Json(HttpStatusCode.OK, """{"created":1,"data":[{"b64_json":"not base64!"}]}"""));

        var exception = await Assert.ThrowsAsync<ImageOrleansException>(
            () => CreateClient(handler).GenerateAsync(new ImageGenerationRequest { Prompt = "x" }));

        Assert.Equal(200, exception.StatusCode);
        Assert.IsType<FormatException>(exception.InnerException);
    }

    [Fact]
    public async Task GenerateThrowsTimeoutExceptionWhenTheGatewayIsTooSlow()
    {
        // The stub never answers; only the client's own timeout can end the call.
        var handler = new StubHttpMessageHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });
        var options = new ImageOrleansClientOptions { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMilliseconds(20) };

        var exception = await Assert.ThrowsAsync<TimeoutException>(
            () => new ImageOrleansClient(new HttpClient(handler), options).GenerateAsync(new ImageGenerationRequest { Prompt = "x" }));

        Assert.Equal("The gateway did not answer within 0.02 s.", exception.Message);
    }

    [Fact]
    public async Task GenerateReportsTheCallersCancellationAsCancellationNotTimeout()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StubHttpMessageHandler(async (_, cancellationToken) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });
        using var cancellation = new CancellationTokenSource();

        var call = CreateClient(handler).GenerateAsync(new ImageGenerationRequest { Prompt = "x" }, cancellation.Token);
        await entered.Task;
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task ListModelsGetsModelIdsInOrder()
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Json(
            HttpStatusCode.OK,
            """{"object":"list","data":[{"id":"gpt-image-1","object":"model"},{"id":"dall-e-3","object":"model"}]}"""));

        var models = await CreateClient(handler).ListModelsAsync();

        Assert.Equal(["gpt-image-1", "dall-e-3"], models);
        var request = handler.SingleRequest;
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("http://gateway.test/v1/models", request.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {ApiKey}", request.Header("Authorization"));
    }

    [Theory]
    [InlineData("http://gateway.test/v1/images/files/a.png", true)]
    [InlineData("https://gateway.test/v1/images/files/a.png", false)]
    [InlineData("http://gateway.test:8080/a.png", false)]
    [InlineData("https://cdn.test/a.png", false)]
    public async Task DownloadSendsTheKeyOnlyToTheGatewayItself(string url, bool expectAuthorization)
    {
        var handler = StubHttpMessageHandler.Always(() => Responses.Bytes(TestImages.Webp));

        var bytes = await CreateClient(handler).DownloadAsync(new Uri(url));

        Assert.Equal(TestImages.Webp, bytes);
        Assert.Equal(url, handler.SingleRequest.Uri.AbsoluteUri);
        Assert.Equal(expectAuthorization ? $"Bearer {ApiKey}" : null, handler.SingleRequest.Header("Authorization"));
    }

    [Fact]
    public void ConstructorRejectsRelativeBaseAddressAndNonPositiveTimeout()
    {
        using var httpClient = new HttpClient();

        Assert.Throws<ArgumentException>(
            () => new ImageOrleansClient(httpClient, new ImageOrleansClientOptions { BaseAddress = new Uri("v1/", UriKind.Relative) }));
        Assert.Throws<ArgumentException>(
            () => new ImageOrleansClient(httpClient, new ImageOrleansClientOptions { Timeout = TimeSpan.Zero }));
    }

    private static ImageOrleansClient CreateClient(HttpMessageHandler handler, string apiKey = ApiKey) =>
        new(new HttpClient(handler), new ImageOrleansClientOptions { BaseAddress = BaseAddress, ApiKey = apiKey });
}
