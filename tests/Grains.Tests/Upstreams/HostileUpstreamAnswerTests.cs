using System.Net;
using System.Text;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Upstreams;

/// <summary>Whatever bytes and headers an upstream sends back, reading them gives a result, never an exception.</summary>
public sealed class HostileUpstreamAnswerTests
{
    private const string Png = "iVBORw0KGgo=";

    [Theory]
    [InlineData("{\"created\":\"yesterday\",\"data\":[{\"b64_json\":\"" + Png + "\"}]}")]
    [InlineData("{\"created\":-5,\"data\":[{\"b64_json\":\"" + Png + "\",\"revised_prompt\":\"\\ud800\"}]}")]
    [InlineData("{\"created\":1e400,\"data\":[{\"b64_json\":\"" + Png + "\",\"revised_prompt\":7}]}")]
    [InlineData("{\"data\":[{\"b64_json\":\"" + Png + "\"}],\"usage\":{\"output_tokens\":\"many\",\"\\udc00\":1,\"x\":{\"y\":{\"z\":1}}}}")]
    public void Odd_fields_beside_the_images_are_dropped_not_thrown(string body)
    {
        Assert.True(UpstreamResponseParser.TryParseSuccess(Encoding.UTF8.GetBytes(body), out var images, out var created, out var usage));

        Assert.Single(images);
        Assert.Null(images[0].RevisedPrompt);
        Assert.Null(created);
        var text = usage is null ? null : Encoding.UTF8.GetString(usage.Json);
        Assert.True(text is null or "{}" or "{\"x\":{}}", text);
    }

    [Fact]
    public void Invalid_utf8_in_a_revised_prompt_or_usage_name_is_dropped()
    {
        var body = Encoding.UTF8.GetBytes("{\"data\":[{\"b64_json\":\"" + Png + "\",\"revised_prompt\":\"a\u0001b\"}],\"usage\":{\"output_tokens\":-3,\"AB\":1,\"ok\":2}}")
            .Select(b => b == 0x01 ? (byte)0xFF : b).ToArray();

        Assert.True(UpstreamResponseParser.TryParseSuccess(body, out var images, out _, out var usage));

        Assert.Null(images[0].RevisedPrompt);

        // Negative counts are kept for the cost calculator to judge (and log); odd names are dropped.
        Assert.Equal("{\"output_tokens\":-3,\"ok\":2}", Encoding.UTF8.GetString(usage!.Json));
    }

    [Theory]
    [InlineData("{\"data\":[{\"b64_json\":\"\\ud800\"}]}")]
    [InlineData("{\"data\":[{\"b64_json\":5}]}")]
    [InlineData("{\"data\":\"none\"}")]
    [InlineData("{\"data\":[]}")]
    [InlineData("{\"data\":[{\"b64_json\":\"" + Png + "\"}]")]
    [InlineData("\"\\ud800\"")]
    public void An_answer_without_readable_images_is_not_a_success(string body) =>
        Assert.False(UpstreamResponseParser.TryParseSuccess(Encoding.UTF8.GetBytes(body), out _, out _, out _));

    [Theory]
    [InlineData("{\"error\":{\"message\":\"\\ud800\",\"code\":\"x\"}}", null, "x")]
    [InlineData("{\"error\":{\"message\":[1],\"code\":{\"a\":1}}}", null, null)]
    public void Error_bodies_with_odd_text_keep_what_is_readable(string body, string? message, string? code)
    {
        var error = UpstreamResponseParser.ParseError(Encoding.UTF8.GetBytes(body), UpstreamSecret.Empty);

        Assert.NotNull(error);
        Assert.Equal((message, code), (error.Message, error.Code));
    }

    [Fact]
    public void An_error_body_of_invalid_utf8_is_no_error_body()
    {
        byte[] body = [.. "{\"error\":{\"message\":\""u8, 0xC3, 0x28, .. "\"}}"u8];

        var error = UpstreamResponseParser.ParseError(body, UpstreamSecret.Empty);

        Assert.True(error is null || error.Message is null);
    }

    [Theory]
    [InlineData("retry-after-ms", "1e300", 86_400_000)]
    [InlineData("retry-after-ms", "Infinity", 86_400_000)]
    [InlineData("retry-after-ms", "-5", null)]
    [InlineData("retry-after-ms", "NaN", null)]
    [InlineData("retry-after", "999999999", 86_400_000)]
    [InlineData("retry-after", "-1", null)]
    [InlineData("retry-after", "\u00ff\u00fe", null)]
    [InlineData("retry-after", "2", 2_000)]
    public void Retry_after_is_capped_and_nonsense_is_ignored(string header, string value, int? expectedMs)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation(header, value);

        var wait = RateLimitHeaders.RetryAfter(response.Headers, DateTimeOffset.UnixEpoch);

        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, wait);
    }

    [Theory]
    [InlineData("99999999999999999999h", 86_400_000)]
    [InlineData("1e308s", null)]
    [InlineData("100000000h5s", 86_400_000)]
    [InlineData("23h59m59s5s", 86_400_000)]
    [InlineData("20h3m", 72_180_000)]
    public void Absurd_reset_durations_are_capped(string text, int? expectedMs) =>
        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, RateLimitHeaders.ParseDuration(text));

    [Fact]
    public void Negative_or_absurd_limits_are_ignored()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-limit-requests", "-10");
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "99999999999999999999");
        response.Headers.TryAddWithoutValidation("x-ratelimit-limit-images", "\u00e9\u00e9");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-images", "1e999s");

        var info = RateLimitHeaders.Read(response.Headers);

        Assert.Equal<int?>([null, null, null], [info.LimitRequests, info.RemainingRequests, info.LimitImages]);
        Assert.Null(info.ResetImages);
    }
}
