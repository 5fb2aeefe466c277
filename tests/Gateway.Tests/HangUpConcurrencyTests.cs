using System.Net;
using System.Net.Http.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>A request whose client hung up keeps its reservation until the grains settle it: hanging up frees no budget and no concurrency.</summary>
public sealed class HangUpConcurrencyTests(SlowUpstreamGatewayFixture gateway) : IClassFixture<SlowUpstreamGatewayFixture>
{
    [Fact]
    public async Task Hanging_up_does_not_free_the_keys_concurrency_while_its_generations_run_on()
    {
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "hang-up-many", daily_budget_usd = 1m, max_concurrency = 2, requests_per_minute = 0, images_per_minute = 0 });
        using var client = gateway.Http(secret);
        var before = gateway.Simulator.Stats.Total.Snapshot();
        var refused = 0;

        for (var i = 0; i < 6; i++)
        {
            // Each under its own Idempotency-Key, so each generation runs on after its client leaves.
            var requests = gateway.Simulator.Stats.Total.Snapshot().Requests;
            using var hangUp = new CancellationTokenSource();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations")
            {
                Content = JsonContent.Create(new { model = "dall-e-2", prompt = $"left behind {i}", size = "1024x1024" }),
            };
            request.Headers.Add("Idempotency-Key", $"hang-up-{i}-{Guid.NewGuid():N}");
            var sending = client.SendAsync(request, hangUp.Token);
            await Poll.UntilAsync(() => sending.IsCompleted || gateway.Simulator.Stats.Total.Snapshot().Requests > requests, "the request reached the upstream or was answered");
            if (sending.IsCompleted)
            {
                using var answered = await sending;
                Assert.Equal(HttpStatusCode.TooManyRequests, answered.StatusCode);
                refused++;
                continue;
            }

            await hangUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }

        await Poll.UntilAsync(() => gateway.Simulator.Stats.Total.Snapshot().InFlight == 0, "the generations left behind have finished");
        var after = gateway.Simulator.Stats.Total.Snapshot();
        Assert.True(after.MaxInFlight <= 2, $"{after.MaxInFlight} generations ran at once for a key allowed 2");
        Assert.True(refused >= 1, "the key's concurrency limit should have refused someone");

        // And every one of them was paid.
        await Poll.UntilAsync(async () => (await gateway.KeyAsync(id)).GetProperty("spend").GetProperty("reserved_usd").GetDecimal() == 0m, "every reservation is settled");
        var spent = (await gateway.KeyAsync(id)).GetProperty("spend").GetProperty("today_usd").GetDecimal();
        Assert.Equal((after.Images - before.Images) * 0.02m, spent);
    }
}
