using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grains.Queueing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Priority headers as the keys allow them, and clients that give up while waiting.</summary>
public sealed class PriorityAndWaitingTests(PriorityAndWaitingTests.SlowPool gateway) : IClassFixture<PriorityAndWaitingTests.SlowPool>
{
    private const string BatchKey = "sk-test-batch-tier-0123456789abcdef";
    private const string PremiumKey = "sk-test-premium-tier-0123456789abc";

    [Theory]
    [InlineData(GatewayFactory.KeyA, "high", HttpStatusCode.Forbidden, "priority_not_allowed")]
    [InlineData(BatchKey, "normal", HttpStatusCode.Forbidden, "priority_not_allowed")]
    [InlineData(GatewayFactory.KeyA, "urgent", HttpStatusCode.BadRequest, "invalid_value")]
    public async Task A_key_may_not_raise_its_priority_beyond_what_it_is_allowed(string key, string priority, HttpStatusCode status, string code)
    {
        using var http = gateway.Http(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(new { prompt = "priority test" }) };
        request.Headers.Add("x-imageorleans-priority", priority);

        using var response = await http.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("x-imageorleans-priority", error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("soon")]
    public async Task A_bad_timeout_header_is_a_400_naming_it(string value)
    {
        using var http = gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(new { prompt = "timeout test" }) };
        request.Headers.Add("x-imageorleans-timeout-ms", value);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("x-imageorleans-timeout-ms", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData(PremiumKey, "high")]
    [InlineData(GatewayFactory.KeyA, "low")]
    [InlineData(BatchKey, "low")]
    public async Task Lowering_priority_is_always_allowed_and_a_premium_key_may_ask_for_high(string key, string priority)
    {
        // Accepted means served, or timed out waiting for the (slow) pool: never refused at the door.
        using var response = await SendAsync(gateway.Http(key), $"{priority} by {key[..12]}", priority, timeoutMs: 1);
        Assert.Contains(response.StatusCode, (HttpStatusCode[])[HttpStatusCode.OK, HttpStatusCode.GatewayTimeout]);
    }

    [Fact]
    public async Task A_client_that_disconnects_while_waiting_leaves_the_queue_and_costs_nothing_upstream()
    {
        var scheduler = gateway.Services.GetRequiredService<CapacityScheduler>();
        using var http = gateway.Http();

        // Empty the single account's bucket: the next token is a minute away.
        for (var i = 0; i < 5; i++)
        {
            using var drain = await SendAsync(http, $"drain {i}", "normal", timeoutMs: 200);
            if (drain.StatusCode == HttpStatusCode.GatewayTimeout)
            {
                break;
            }
        }

        var upstreamBefore = gateway.Simulator.Stats.Total.Snapshot().Requests;
        using var leaving = new CancellationTokenSource();
        var waiting = http.PostAsJsonAsync("/v1/images/generations", new { prompt = "gives up" }, leaving.Token);
        await WaitUntilAsync(() => scheduler.Waiting == 1, "the request waits for capacity");

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await WaitUntilAsync(() => scheduler.Waiting == 0, "the disconnected request left the queue");
        Assert.Equal(upstreamBefore, gateway.Simulator.Stats.Total.Snapshot().Requests);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string prompt, string priority, int timeoutMs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(new { prompt }) };
        request.Headers.Add("x-imageorleans-priority", priority);
        request.Headers.Add("x-imageorleans-timeout-ms", timeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await http.SendAsync(request);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string expectation)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, $"Timed out waiting until {expectation}.");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, CancellationToken.None);
        }
    }

    /// <summary>One simulated account that earns a request a minute, and keys of different tiers.</summary>
    public sealed class SlowPool : GatewayFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("ImageOrleans:Simulator:Accounts", "1"),
            new("ImageOrleans:Simulator:RequestsPerMinute", "1"),
            new("ImageOrleans:Simulator:ImagesPerMinute", "60"),
            new("ImageOrleans:ClientKeys:batch:Key", BatchKey),
            new("ImageOrleans:ClientKeys:batch:Priority", "Low"),
            new("ImageOrleans:ClientKeys:premium:Key", PremiumKey),
            new("ImageOrleans:ClientKeys:premium:MaxPriority", "High"),
        ];
    }
}
