using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ImageOrleans.Gateway.Tests;

/// <summary>
/// Tried as a hostile client would: start, hang up, replay; or send twins and hang up on one. Every image
/// the upstream produced is paid for once by the key, and its budget ends the game.
/// </summary>
public sealed class MoneyFollowsTheGenerationTests(SlowUpstreamGatewayFixture gateway, ITestOutputHelper output) : IClassFixture<SlowUpstreamGatewayFixture>
{
    // dall-e-2 at 1024x1024 is $0.02 an image, whatever the prompt.
    private const decimal Price = 0.02m;

    [Fact]
    public async Task Hanging_up_and_replaying_never_gets_an_image_for_free_and_the_budget_stops_the_loop()
    {
        const decimal Budget = 0.13m;
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "hang-up", daily_budget_usd = Budget, requests_per_minute = 0, images_per_minute = 0 });
        using var client = gateway.Http(secret);
        var before = gateway.Simulator.Stats.Total.Snapshot();
        var replays = 0;
        var refused = false;

        for (var round = 0; round < 20 && !refused; round++)
        {
            // Start under an Idempotency-Key and hang up while the upstream works; then replay it.
            var body = Body($"hang up and replay {round:00}");
            var key = $"round-{round}-{Guid.NewGuid():N}";
            await HangUpWhileGeneratingAsync(client, body, key);
            using (var replay = await SendAsync(client, body, key, CancellationToken.None))
            {
                if (await IsBudgetRefusalAsync(replay))
                {
                    refused = true;
                    break;
                }

                Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
                Assert.Equal("true", replay.Headers.GetValues("x-imageorleans-idempotent-replayed").Single());
                replays++;
            }

            // Two identical requests; the first one hangs up, the second gets the image.
            var twins = Body($"twins, the first hangs up {round:00}");
            var first = HangUpWhileGeneratingAsync(client, twins, idempotencyKey: null);
            using var second = await SendAsync(client, twins, null, CancellationToken.None);
            await first;
            refused = await IsBudgetRefusalAsync(second);
            Assert.True(refused || second.StatusCode == HttpStatusCode.OK, $"twin answered {(int)second.StatusCode}");
        }

        await Poll.UntilAsync(() => gateway.Simulator.Stats.Total.Snapshot().InFlight == 0, "no generation is still running upstream");
        var after = gateway.Simulator.Stats.Total.Snapshot();
        var produced = after.Images - before.Images;
        var spend = (await gateway.KeyAsync(id)).GetProperty("spend");
        var spent = spend.GetProperty("today_usd").GetDecimal();
        output.WriteLine($"replays {replays}, images produced upstream {produced}, spent {spent} USD of {Budget}");

        Assert.True(refused, $"the budget should have ended the loop; spent {spent} of {Budget}");
        Assert.True(replays >= 2, $"replays {replays}");
        Assert.Equal(produced * Price, spent);
        Assert.True(spent <= Budget);
        await Poll.UntilAsync(async () => (await gateway.KeyAsync(id)).GetProperty("spend").GetProperty("reserved_usd").GetDecimal() == 0m, "no reservation is left");

        // The usage report counts each image the upstream produced exactly once.
        using var usage = await client.GetFromJsonAsync<JsonDocument>("/v1/usage");
        var totals = usage!.RootElement.GetProperty("totals");
        Assert.Equal(produced, totals.GetProperty("generated").GetInt64());
        Assert.Equal(spent, totals.GetProperty("spend_usd").GetDecimal());
    }

    private static object Body(string prompt) => new { model = "dall-e-2", prompt, size = "1024x1024", response_format = "b64_json" };

    /// <summary>Sends, waits until the upstream is generating, then drops the connection.</summary>
    private async Task HangUpWhileGeneratingAsync(HttpClient client, object body, string? idempotencyKey)
    {
        var busy = gateway.Simulator.Stats.Total.Snapshot().Requests;
        using var hangUp = new CancellationTokenSource();
        var sending = SendAsync(client, body, idempotencyKey, hangUp.Token);
        await Poll.UntilAsync(() => sending.IsCompleted || gateway.Simulator.Stats.Total.Snapshot().Requests > busy, "the upstream received the request");
        await hangUp.CancelAsync();
        try
        {
            using var answered = await sending;

            // The upstream was faster than the hang-up, or the budget refused it before any call: both are fine.
        }
        catch (OperationCanceledException)
        {
            // Hung up, as intended.
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, object body, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request, cancellationToken);
    }

    private static async Task<bool> IsBudgetRefusalAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return false;
        }

        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
        return true;
    }
}
