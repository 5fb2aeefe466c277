using System.Net;
using ImageOrleans.Client.Tests.Testing;

namespace ImageOrleans.Client.Tests;

public sealed class ImageOrleansExceptionTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task OpenAiErrorBecomesAnExceptionWithEveryField()
    {
        var exception = await GenerateExpectingErrorAsync(() => Responses.Error(
            HttpStatusCode.TooManyRequests,
            "Rate limit reached for requests.",
            "rate_limit_error",
            code: "rate_limit_exceeded",
            param: "n",
            ("Retry-After", "20")));

        Assert.Equal(429, exception.StatusCode);
        Assert.Equal("Rate limit reached for requests.", exception.Message);
        Assert.Equal("rate_limit_error", exception.ErrorType);
        Assert.Equal("rate_limit_exceeded", exception.Code);
        Assert.Equal("n", exception.Param);
        Assert.Equal(TimeSpan.FromSeconds(20), exception.RetryAfter);
    }

    [Fact]
    public async Task NullOptionalFieldsAndNoRetryAfterStayNull()
    {
        var exception = await GenerateExpectingErrorAsync(
            () => Responses.Error(HttpStatusCode.BadRequest, "Bad prompt.", "invalid_request_error"));

        Assert.Equal(400, exception.StatusCode);
        Assert.Equal("Bad prompt.", exception.Message);
        Assert.Equal("invalid_request_error", exception.ErrorType);
        Assert.Null(exception.Code);
        Assert.Null(exception.Param);
        Assert.Null(exception.RetryAfter);
    }

    [Fact]
    public async Task RetryAfterDateBecomesTheWaitFromNow()
    {
        var exception = await GenerateExpectingErrorAsync(() => Responses.Error(
            HttpStatusCode.ServiceUnavailable,
            "Busy.",
            "server_error",
            headers: ("Retry-After", Now.AddSeconds(90).ToString("R"))));

        Assert.Equal(TimeSpan.FromSeconds(90), exception.RetryAfter);
    }

    [Fact]
    public async Task RetryAfterDateInThePastMeansRetryNow()
    {
        var exception = await GenerateExpectingErrorAsync(() => Responses.Error(
            HttpStatusCode.ServiceUnavailable,
            "Busy.",
            "server_error",
            headers: ("Retry-After", Now.AddSeconds(-30).ToString("R"))));

        Assert.Equal(TimeSpan.Zero, exception.RetryAfter);
    }

    [Fact]
    public async Task RetryAfterMillisecondsWinsOverRetryAfter()
    {
        var exception = await GenerateExpectingErrorAsync(() => Responses.Error(
            HttpStatusCode.TooManyRequests,
            "Slow down.",
            "rate_limit_error",
            headers: [("Retry-After", "2"), ("retry-after-ms", "1500")]));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), exception.RetryAfter);
    }

    [Fact]
    public async Task NumericCodeIsKeptAsText()
    {
        var exception = await GenerateExpectingErrorAsync(() => Responses.Json(
            HttpStatusCode.BadRequest, """{"error":{"message":"Nope.","type":"invalid_request_error","param":null,"code":400}}"""));

        Assert.Equal("400", exception.Code);
    }

    [Theory]
    [InlineData("""{"error":"Upstream exploded."}""", "Upstream exploded.")]
    [InlineData("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.3","title":"Bad Gateway","status":502,"detail":"No upstream."}""", "No upstream.")]
    [InlineData("""{"title":"Bad Gateway","status":502}""", "Bad Gateway")]
    [InlineData("""{"message":"Plain message."}""", "Plain message.")]
    [InlineData("""{"error":{"type":"server_error"}}""", "The gateway answered with HTTP 502 (Bad Gateway).")]
    [InlineData("""{"unrelated":true}""", """{"unrelated":true}""")]
    [InlineData("{ not json", "{ not json")]
    [InlineData("<html>\n  <body>502   Bad Gateway</body>\n</html>\n", "<html> <body>502 Bad Gateway</body> </html>")]
    [InlineData("", "The gateway answered with HTTP 502 (Bad Gateway).")]
    public async Task BodiesOfOtherShapesStillGiveAMessage(string body, string expectedMessage)
    {
        var exception = await GenerateExpectingErrorAsync(() => Responses.Text(HttpStatusCode.BadGateway, body));

        Assert.Equal(502, exception.StatusCode);
        Assert.Equal(expectedMessage, exception.Message);
    }

    [Fact]
    public async Task LongNonJsonBodiesAreCut()
    {
        var exception = await GenerateExpectingErrorAsync(() => Responses.Text(HttpStatusCode.BadGateway, new string('x', 2000)));

        Assert.Equal(new string('x', 500) + "…", exception.Message);
    }

    [Fact]
    public async Task ModelListErrorsAreParsedTheSameWay()
    {
        var handler = StubHttpMessageHandler.Always(
            () => Responses.Error(HttpStatusCode.Unauthorized, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
        var client = new ImageOrleansClient(new HttpClient(handler), new ImageOrleansClientOptions());

        var exception = await Assert.ThrowsAsync<ImageOrleansException>(() => client.ListModelsAsync());

        Assert.Equal(401, exception.StatusCode);
        Assert.Equal("invalid_api_key", exception.Code);
    }

    private static async Task<ImageOrleansException> GenerateExpectingErrorAsync(Func<HttpResponseMessage> response)
    {
        var client = new ImageOrleansClient(
            new HttpClient(StubHttpMessageHandler.Always(response)),
            new ImageOrleansClientOptions { ApiKey = "sk-test" },
            new FixedTimeProvider(Now));
        return await Assert.ThrowsAsync<ImageOrleansException>(
            () => client.GenerateAsync(new ImageGenerationRequest { Prompt = "a red fox" }));
    }
}
