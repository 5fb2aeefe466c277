using System.Net;
using System.Text;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Upstreams;

/// <summary>An upstream call always ends in a classified outcome, whatever bytes and headers come back.</summary>
public sealed class HostileUpstreamClientTests
{
    private static readonly UpstreamAccount Account = new() { Id = "hostile", Kind = UpstreamKind.Compatible, BaseUrl = "http://upstream.invalid/v1/", Models = ["m"] };
    private static readonly ImageRequest Request = new() { Model = "m", Prompt = "x" };

    [Theory]
    [InlineData("{\"data\":[{\"b64_json\":\"\\ud800\"}]}")]
    [InlineData("{\"data\":[{\"b64_json\":\"\xFF\"}]}")]
    [InlineData("\xEF\xBB\xBF{\"data\":[]}")]
    [InlineData("{\"data\":[{\"b64_json\":\"iVBORw0KGgo=\"}]")]
    [InlineData("")]
    public async Task A_200_without_readable_images_is_a_malformed_response(string latin1Body)
    {
        var result = await CallAsync(HttpStatusCode.OK, Encoding.Latin1.GetBytes(latin1Body));

        Assert.Equal(OutcomeKind.MalformedResponse, result.Kind);
    }

    [Fact]
    public async Task Absurd_headers_and_usage_on_a_success_are_read_without_throwing()
    {
        var body = Encoding.UTF8.GetBytes("{\"created\":\"x\",\"data\":[{\"b64_json\":\"iVBORw0KGgo=\",\"revised_prompt\":\"\\udc00\"}],\"usage\":{\"output_tokens\":-7,\"input_tokens\":1e400}}");

        var result = await CallAsync(HttpStatusCode.OK, body, ("x-ratelimit-limit-requests", "-5"), ("x-ratelimit-reset-requests", "99999999999999999999h"), ("retry-after-ms", "1e400"));

        Assert.Equal(OutcomeKind.Success, result.Kind);
        Assert.Null(result.RateLimits.LimitRequests);
        Assert.Equal(RateLimitHeaders.MaxWait, result.RateLimits.ResetRequests);
        Assert.Equal("{\"output_tokens\":-7}", System.Text.Encoding.UTF8.GetString(result.Usage!.Json));
        Assert.Null(result.Images[0].RevisedPrompt);
    }

    [Fact]
    public async Task A_429_with_an_endless_retry_after_and_an_unreadable_error_body_cools_the_account_at_most_a_day()
    {
        var result = await CallAsync(HttpStatusCode.TooManyRequests, [.. "{\"error\":{\"message\":\""u8, 0xFF, .. "\"}}"u8], ("retry-after-ms", "Infinity"));

        Assert.Equal(OutcomeKind.RateLimited, result.Kind);
        Assert.Equal(RateLimitHeaders.MaxWait, result.RetryAfter);
    }

    private static async Task<UpstreamResult> CallAsync(HttpStatusCode status, byte[] body, params (string Name, string Value)[] headers)
    {
        using var handler = new Answer(status, body, headers);
        var client = new Client(new Factory(handler));
        return await client.GenerateAsync(Account, Request, CancellationToken.None);
    }

    private sealed class Client(IHttpClientFactory factory) : HttpUpstreamClient(factory, TimeProvider.System)
    {
        protected override Uri BuildUri(UpstreamAccount account, ImageRequest request) => new(account.BaseUrl + "images/generations");

        protected override void Authenticate(HttpRequestMessage message, UpstreamAccount account)
        {
        }
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class Answer(HttpStatusCode status, byte[] body, (string Name, string Value)[] headers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
            foreach (var (name, value) in headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return Task.FromResult(response);
        }
    }
}
