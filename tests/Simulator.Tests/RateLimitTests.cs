using System.Net;
using ImageOrleans.Simulator.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

/// <summary>Rate limits over HTTP, on a fake clock so that refill is exact. Each test uses its own key.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(new SimulatorOptions(), _time);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_key_counted_over_one_second_windows_refuses_a_burst_and_advertises_a_sub_second_reset()
    {
        const string key = "rl-window";
        _host.Server.UpsertKey(new SimulatedKey
        {
            Key = key, RequestsPerMinute = 120, ImagesPerMinute = 1000, RateLimit = RateLimitMode.FixedWindow, WindowSeconds = 1,
        });
        _time.Advance(TimeSpan.FromMilliseconds(1000 - (_time.GetUtcNow().ToUnixTimeMilliseconds() % 1000) + 250));

        using var first = await _host.Client.GenerateAsync(key);
        using var second = await _host.Client.GenerateAsync(key);
        using var refused = await _host.Client.GenerateAsync(key);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("120", second.Header("x-ratelimit-limit-requests"));
        Assert.Equal("0", second.Header("x-ratelimit-remaining-requests"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("750ms", refused.Header("x-ratelimit-reset-requests"));
        Assert.Equal("750", refused.Header("retry-after-ms"));
        Assert.Contains("Limit 2, Used 2, Requested 1", (await refused.ReadErrorAsync()).GetProperty("message").GetString(), StringComparison.Ordinal);

        // The next second's window is empty again.
        _time.Advance(TimeSpan.FromMilliseconds(750));
        using var next = await _host.Client.GenerateAsync(key);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task ServesExactlyTheLimitThenRefusesWithOpenAiHeadersAndBody()
    {
        const string key = "rl-requests";
        _host.Server.UpsertKey(new SimulatedKey { Key = key, RequestsPerMinute = 10, ImagesPerMinute = 1000 });

        for (var i = 1; i <= 10; i++)
        {
            using var ok = await _host.Client.GenerateAsync(key);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("10", ok.Header("x-ratelimit-limit-requests"));
            Assert.Equal($"{10 - i}", ok.Header("x-ratelimit-remaining-requests"));
            Assert.Equal(OpenAiReset(6 * i), ok.Header("x-ratelimit-reset-requests"));
        }

        using var refused = await _host.Client.GenerateAsync(key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("6", refused.Header("retry-after"));
        Assert.Equal("6000", refused.Header("retry-after-ms"));
        Assert.Equal("10", refused.Header("x-ratelimit-limit-requests"));
        Assert.Equal("0", refused.Header("x-ratelimit-remaining-requests"));
        Assert.Equal("1m0s", refused.Header("x-ratelimit-reset-requests"));
        Assert.Equal("1000", refused.Header("x-ratelimit-limit-images"));
        Assert.Equal("990", refused.Header("x-ratelimit-remaining-images"));
        Assert.Equal("600ms", refused.Header("x-ratelimit-reset-images"));
        Assert.NotNull(refused.Header("x-request-id"));
        var error = await refused.ReadErrorAsync();
        Assert.Equal(
            "Rate limit reached for gpt-image-1 on requests per minute (RPM): Limit 10, Used 10, Requested 1. Please try again in 6s.",
            error.GetProperty("message").GetString());
        Assert.Equal("requests", error.GetProperty("type").GetString());
        Assert.Null(error.NullableString("param"));
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());

        _time.Advance(TimeSpan.FromSeconds(6));

        using var oneMore = await _host.Client.GenerateAsync(key);
        using var refusedAgain = await _host.Client.GenerateAsync(key);
        Assert.Equal(HttpStatusCode.OK, oneMore.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedAgain.StatusCode);
        Assert.Equal("6", refusedAgain.Header("retry-after"));
        Assert.Equal(13, _host.Stats.Keys[key].Requests);
        Assert.Equal(11, _host.Stats.Keys[key].Served);
        Assert.Equal(2, _host.Stats.Keys[key].RefusedRateLimit);
    }

    [Fact]
    public async Task TheImagesBucketChargesNPerRequest()
    {
        const string key = "rl-images";
        _host.Server.UpsertKey(new SimulatedKey { Key = key, RequestsPerMinute = 100, ImagesPerMinute = 10 });

        using var first = await _host.Client.GenerateAsync(key, n: 4);
        using var second = await _host.Client.GenerateAsync(key, n: 4);
        using var refused = await _host.Client.GenerateAsync(key, n: 4);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("6", first.Header("x-ratelimit-remaining-images"));
        Assert.Equal("24s", first.Header("x-ratelimit-reset-images"));
        Assert.Equal("2", second.Header("x-ratelimit-remaining-images"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("12", refused.Header("retry-after"));
        var error = await refused.ReadErrorAsync();
        Assert.Equal(
            "Rate limit reached for gpt-image-1 on images per minute (IPM): Limit 10, Used 8, Requested 4. Please try again in 12s.",
            error.GetProperty("message").GetString());
        Assert.Equal("images", error.GetProperty("type").GetString());

        // The refused request consumed nothing: two requests and eight images are all that was charged.
        Assert.Equal("98", refused.Header("x-ratelimit-remaining-requests"));
        Assert.Equal("2", refused.Header("x-ratelimit-remaining-images"));

        using var fits = await _host.Client.GenerateAsync(key, n: 2);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal("0", fits.Header("x-ratelimit-remaining-images"));

        _time.Advance(TimeSpan.FromSeconds(24));
        using var afterRefill = await _host.Client.GenerateAsync(key, n: 4);
        Assert.Equal(HttpStatusCode.OK, afterRefill.StatusCode);
        Assert.Equal(4 + 4 + 2 + 4, _host.Stats.Keys[key].Images);
    }

    [Fact]
    public async Task ARequestLargerThanTheImagesLimitIsAlwaysRefused()
    {
        const string key = "rl-too-large";
        _host.Server.UpsertKey(new SimulatedKey { Key = key, ImagesPerMinute = 3 });

        using var refused = await _host.Client.GenerateAsync(key, n: 4);
        _time.Advance(TimeSpan.FromHours(1));
        using var stillRefused = await _host.Client.GenerateAsync(key, n: 4);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillRefused.StatusCode);
        Assert.Null(refused.Header("retry-after"));
        var error = await refused.ReadErrorAsync();
        Assert.StartsWith("Request too large for gpt-image-1 on images per minute (IPM): Limit 3, Requested 4.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("3", stillRefused.Header("x-ratelimit-remaining-images"));
    }

    [Fact]
    public async Task TrueLimitFactorHalvesTheEnforcedAndAdvertisedLimit()
    {
        const string key = "rl-factor";
        _host.Server.UpsertKey(new SimulatedKey { Key = key, RequestsPerMinute = 10, ImagesPerMinute = 10, TrueLimitFactor = 0.5 });

        for (var i = 0; i < 5; i++)
        {
            using var ok = await _host.Client.GenerateAsync(key);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("5", ok.Header("x-ratelimit-limit-requests"));
            Assert.Equal("5", ok.Header("x-ratelimit-limit-images"));
        }

        using var refused = await _host.Client.GenerateAsync(key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("12", refused.Header("retry-after"));
        Assert.Contains("Limit 5, Used 5, Requested 1", (await refused.ReadErrorAsync()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetRefillsEveryBucket()
    {
        const string key = "rl-reset";
        _host.Server.UpsertKey(new SimulatedKey { Key = key, RequestsPerMinute = 1, ImagesPerMinute = 1 });
        using var ok = await _host.Client.GenerateAsync(key);
        using var refused = await _host.Client.GenerateAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        _host.Server.Reset();

        using var again = await _host.Client.GenerateAsync(key);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, _host.Stats.Keys[key].Served);
        Assert.Equal(0, _host.Stats.Keys[key].RefusedRateLimit);
    }

    [Fact]
    public async Task UpsertingNewLimitsKeepsTheTokensAlreadyUsed()
    {
        const string key = "rl-upsert";
        _host.Server.UpsertKey(new SimulatedKey { Key = key, RequestsPerMinute = 2, ImagesPerMinute = 100 });
        using var first = await _host.Client.GenerateAsync(key);
        using var second = await _host.Client.GenerateAsync(key);

        _host.Server.UpsertKey(new SimulatedKey { Key = key, RequestsPerMinute = 3, ImagesPerMinute = 100 });

        using var third = await _host.Client.GenerateAsync(key);
        using var refused = await _host.Client.GenerateAsync(key);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal("3", third.Header("x-ratelimit-limit-requests"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task LimitsAreNotAdvertisedWhenDisabled()
    {
        await using var quiet = await SimulatorHost.StartAsync(
            new SimulatorOptions { AdvertiseLimits = false, Keys = [new SimulatedKey { Key = "quiet", RequestsPerMinute = 1 }] },
            _time);

        using var ok = await quiet.Client.GenerateAsync("quiet");
        using var refused = await quiet.Client.GenerateAsync("quiet");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Null(ok.Header("x-ratelimit-limit-requests"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Null(refused.Header("x-ratelimit-remaining-requests"));
        Assert.Equal("60", refused.Header("retry-after"));
    }

    private static string OpenAiReset(int seconds) => seconds < 60 ? $"{seconds}s" : $"{seconds / 60}m{seconds % 60}s";
}
