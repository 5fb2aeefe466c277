using System.Net;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Upstreams;

public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData("6s", 6_000)]
    [InlineData("1m0s", 60_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("12", 12_000)]
    public void Parses_openai_durations(string text, double expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RateLimitHeaders.ParseDuration(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5x")]
    public void Rejects_what_it_cannot_read(string? text) => Assert.Null(RateLimitHeaders.ParseDuration(text));

    [Fact]
    public void Reads_limits_and_retry_after_from_headers()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("x-ratelimit-limit-requests", "10");
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "6s");
        response.Headers.TryAddWithoutValidation("x-ratelimit-limit-images", "40");
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-images", "3");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-images", "55.5s");
        response.Headers.TryAddWithoutValidation("retry-after", "7");

        var info = RateLimitHeaders.Read(response.Headers);

        Assert.Equal((10, 0, TimeSpan.FromSeconds(6)), (info.LimitRequests, info.RemainingRequests, info.ResetRequests));
        Assert.Equal((40, 3, TimeSpan.FromSeconds(55.5)), (info.LimitImages, info.RemainingImages, info.ResetImages));
        Assert.Equal(TimeSpan.FromSeconds(7), RateLimitHeaders.RetryAfter(response.Headers, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Retry_after_ms_wins_over_whole_seconds()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("retry-after", "2");
        response.Headers.TryAddWithoutValidation("retry-after-ms", "1250");

        Assert.Equal(TimeSpan.FromMilliseconds(1250), RateLimitHeaders.RetryAfter(response.Headers, DateTimeOffset.UnixEpoch));
    }
}
