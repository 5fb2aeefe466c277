using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grains.Images;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace ImageOrleans.Gateway.Tests;

/// <summary>What one generation costs inside the gateway: the grain calls on its path, counted.</summary>
public sealed class HotPathTests(HotPathGatewayFixture gateway) : IClassFixture<HotPathGatewayFixture>
{
    private const string Admit = "IClientKeyGrain.AdmitAsync";
    private const string Quota = "IClientKeyGrain.GetQuotaAsync";
    private const string Settle = "IClientKeyGrain.SettleAsync";
    private const string Cache = "IPromptCacheGrain.GetOrGenerateAsync";
    private const string Dispatch = "IDispatcherGrain.GenerateAsync";
    private const string Lease = "IAccountGrain.TryLeaseAsync";
    private const string AdmitServed = "IClientKeyGrain.AdmitServedAsync";

    [Fact]
    public async Task A_generation_by_a_key_without_limits_does_not_ask_the_key_for_its_quota_again()
    {
        using var http = gateway.Http();
        var before = gateway.Calls.Snapshot(Admit, Quota, Settle);

        using var response = await http.PostAsJsonAsync("/v1/images/generations",
            new { model = "gpt-image-2.6-flare", prompt = $"hot path quota {Guid.NewGuid():N}", response_format = "b64_json" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("miss", response.Headers.GetValues("x-imageorleans-cache").Single());
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEmpty(json.GetProperty("data")[0].GetProperty("b64_json").GetBytesFromBase64());

        // Admission already handed over the key's quota (no limits: no headers); the answer did not fetch it again.
        Assert.Equal(new Dictionary<string, int> { [Admit] = 1, [Quota] = 0, [Settle] = 1 }, gateway.Calls.Since(before));
        Assert.False(response.Headers.Contains("x-ratelimit-limit-requests"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_miss_runs_on_the_silos_dispatcher_in_process_and_is_settled_once(bool noCache)
    {
        using var http = gateway.Http();
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        var before = gateway.Calls.Snapshot(Admit, Cache, Dispatch, Lease, Settle);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations")
        {
            Content = JsonContent.Create(new { model = "gpt-image-2.6-flare", prompt = $"hot path dispatch {Guid.NewGuid():N}" }),
        };
        if (noCache)
        {
            request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(noCache ? "bypass" : "miss", response.Headers.GetValues("x-imageorleans-cache").Single());
        Assert.Equal(served + 1, gateway.Simulator.Stats.Total.Snapshot().Served);

        // One upstream generation, leased once and paid once by the key that asked; no dispatcher grain call on the way.
        Assert.Equal(new Dictionary<string, int> { [Admit] = 1, [Cache] = noCache ? 0 : 1, [Dispatch] = 0, [Lease] = 1, [Settle] = 1 }, gateway.Calls.Since(before));
    }

    [Fact]
    public async Task A_hit_this_silo_holds_is_admitted_and_booked_in_one_grain_call()
    {
        using var http = gateway.Http();
        var body = new { model = "gpt-image-2.6-flare", prompt = $"hot path hit {Guid.NewGuid():N}", response_format = "url" };
        using (var first = await http.PostAsJsonAsync("/v1/images/generations", body))
        {
            Assert.Equal("miss", first.Headers.GetValues("x-imageorleans-cache").Single());
        }

        // Asked a second time, the prompt is a hit through its cache grain, which keeps it from then on.
        using (var second = await http.PostAsJsonAsync("/v1/images/generations", body))
        {
            Assert.Equal("hit", second.Headers.GetValues("x-imageorleans-cache").Single());
        }

        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        var before = gateway.Calls.Snapshot(Admit, AdmitServed, Cache, Lease, Settle);

        using var response = await http.PostAsJsonAsync("/v1/images/generations", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hit", response.Headers.GetValues("x-imageorleans-cache").Single());
        var url = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("url").GetString()!;
        using (var image = await http.GetAsync(new Uri(url).PathAndQuery))
        {
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        }

        // Answered from the silo's view of its cache: one call to the key that admits and books it, none to the
        // cache's grain, no lease, no upstream call.
        Assert.Equal(served, gateway.Simulator.Stats.Total.Snapshot().Served);
        Assert.Equal(new Dictionary<string, int> { [Admit] = 0, [AdmitServed] = 1, [Cache] = 0, [Lease] = 0, [Settle] = 0 }, gateway.Calls.Since(before));
    }

    [Fact]
    public async Task A_b64_json_answers_images_are_stored_behind_it_once_it_has_been_sent()
    {
        using var http = gateway.Http();
        var answers = gateway.Services.GetRequiredService<AnswersBeingSent>();
        var begun = answers.Begun;

        using var response = await http.PostAsJsonAsync("/v1/images/generations",
            new { model = "gpt-image-2.6-flare", prompt = $"hot path behind {Guid.NewGuid():N}", response_format = "b64_json" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("b64_json").GetBytesFromBase64();

        // The pipeline marked the answer as being sent; the front door ended the mark with the response, and the
        // image written behind it is in the store.
        Assert.Equal(begun + 1, answers.Begun);
        await Poll.UntilAsync(() => Task.FromResult(answers.Count), count => count == 0, "the answer is no longer being sent");
        var store = gateway.Services.GetRequiredService<IImageStore>();
        var id = ImageIds.For(bytes, ImageFormat.Detect(bytes));
        await Poll.UntilAsync(() => store.ExistsAsync(id, CancellationToken.None).AsTask(), stored => stored, $"the answer's image {id} is stored");
    }

    [Fact]
    public void The_silo_sheds_activations_under_memory_pressure_rather_than_keep_every_distinct_prompt_for_its_idle_age()
    {
        var collection = gateway.Services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;

        Assert.True(collection.EnableActivationSheddingOnMemoryPressure);
        Assert.True(collection.MemoryUsageLimitPercentage < 100);
    }

    [Fact]
    public async Task An_answer_without_a_generation_still_carries_a_quota_asked_of_the_key()
    {
        using var http = gateway.Http();
        var before = gateway.Calls.Snapshot(Quota);

        using var response = await http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, gateway.Calls.Since(before)[Quota]);
    }
}
