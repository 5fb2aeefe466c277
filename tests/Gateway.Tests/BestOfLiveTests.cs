using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>
/// Best-of-N on the live images API (<c>x-imageorleans-best-of</c>): every candidate generated and charged,
/// the scorer hook's best returned with its score, the first candidate and the reason when the scorer fails.
/// </summary>
public sealed class BestOfLiveTests(BestOfGatewayFixture gateway) : IClassFixture<BestOfGatewayFixture>
{
    private async Task<HttpClient> NewKeyAsync(string name)
    {
        var (_, secret) = await gateway.CreateKeyAsync(new { name, daily_budget_usd = 5m, requests_per_minute = 0, images_per_minute = 0 });
        return gateway.Http(secret);
    }

    private static async Task<HttpResponseMessage> GenerateAsync(HttpClient client, object body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(body) };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Waits until the key's usage shows <paramref name="expected"/> spent (settled in the grains), failing if it never does.</summary>
    private static Task<decimal> AssertSpentAsync(HttpClient client, decimal expected) =>
        Poll.UntilAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>("/v1/usage")).GetProperty("totals").GetProperty("spend_usd").GetDecimal(),
            spent => spent == expected,
            $"the key to have spent {expected} USD");

    private static string ImageId(string url) => new Uri(url).Segments[^1];

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task Three_candidates_in_one_call_are_all_charged_and_the_scorers_best_comes_back_with_its_score()
    {
        gateway.Scorer.Failing = false;
        using var client = await NewKeyAsync("best-of-live");
        var before = gateway.Simulator.Stats.Total.Snapshot();
        var calls = gateway.Scorer.Calls.Count;

        using var response = await GenerateAsync(client, new { model = "dall-e-2", prompt = $"best of three live {Guid.NewGuid()}", size = "1024x1024", response_format = "url" },
            ("x-imageorleans-best-of", "3"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2", Header(response, "x-imageorleans-scores"));
        Assert.Null(Header(response, "x-imageorleans-scorer-failed"));
        var after = gateway.Simulator.Stats.Total.Snapshot();
        Assert.Equal((before.Served + 1, before.Images + 3), (after.Served, after.Images));
        var sent = gateway.Scorer.Calls.Skip(calls).Single();
        Assert.Equal(3, sent.Count);
        var data = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        Assert.Equal(1, data.GetArrayLength());
        Assert.Equal(ImageId(sent[2]), ImageId(data[0].GetProperty("url").GetString()!));

        // dall-e-2 at 1024x1024 is $0.02 an image: the three candidates, not the one returned.
        await AssertSpentAsync(client, 0.06m);
    }

    [Fact]
    public async Task The_best_k_come_back_best_first_as_bytes_in_the_order_of_their_scores()
    {
        gateway.Scorer.Failing = false;
        using var client = await NewKeyAsync("best-k-live");
        var calls = gateway.Scorer.Calls.Count;

        using var response = await GenerateAsync(client,
            new { model = "dall-e-2", prompt = $"best two of three live {Guid.NewGuid()}", size = "256x256", response_format = "b64_json" },
            ("x-imageorleans-best-of", "3"), ("x-imageorleans-best-k", "2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2,1", Header(response, "x-imageorleans-scores"));
        var sent = gateway.Scorer.Calls.Skip(calls).Single();
        var data = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        Assert.Equal(2, data.GetArrayLength());
        using var anonymous = gateway.Http(key: null);
        Assert.Equal(await anonymous.GetByteArrayAsync(new Uri(sent[2])), data[0].GetProperty("b64_json").GetBytesFromBase64());
        Assert.Equal(await anonymous.GetByteArrayAsync(new Uri(sent[1])), data[1].GetProperty("b64_json").GetBytesFromBase64());
        Assert.NotEqual(data[0].GetProperty("b64_json").GetString(), data[1].GetProperty("b64_json").GetString());
        await AssertSpentAsync(client, 3 * 0.016m);
    }

    [Fact]
    public async Task A_one_image_model_makes_a_call_per_candidate_and_a_failing_scorer_returns_the_first_and_says_so()
    {
        gateway.Scorer.Failing = true;
        try
        {
            using var client = await NewKeyAsync("best-of-live-failing");
            var before = gateway.Simulator.Stats.Total.Snapshot();
            var calls = gateway.Scorer.Calls.Count;

            using var response = await GenerateAsync(client, new { model = "dall-e-3", prompt = $"best of two live {Guid.NewGuid()}", response_format = "url" },
                ("x-imageorleans-best-of", "2"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(Header(response, "x-imageorleans-scores"));
            Assert.Equal("the scorer answered 500", Header(response, "x-imageorleans-scorer-failed"));
            Assert.Equal(before.Served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);

            // The scorer was tried twice (Retries 1), each time with both candidates; the first came back.
            var sent = gateway.Scorer.Calls.Skip(calls).ToList();
            Assert.Equal(2, sent.Count);
            Assert.All(sent, s => Assert.Equal(2, s.Count));
            var data = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
            Assert.Equal(ImageId(sent[0][0]), ImageId(data.EnumerateArray().Single().GetProperty("url").GetString()!));

            // dall-e-3 standard 1024x1024 is $0.04 an image: both candidates are charged.
            await AssertSpentAsync(client, 0.08m);
        }
        finally
        {
            gateway.Scorer.Failing = false;
        }
    }

    [Theory]
    [InlineData("11", "x-imageorleans-best-of", false, null)]
    [InlineData("1", "x-imageorleans-best-of", false, null)]
    [InlineData("two", "x-imageorleans-best-of", false, null)]
    [InlineData("2.5", "x-imageorleans-best-of", false, null)]
    [InlineData("3", "x-imageorleans-best-of", true, null)]
    [InlineData("3", "n", false, 2)]
    public async Task A_bad_best_of_request_is_a_400_naming_what_is_wrong_and_generates_nothing(string bestOf, string param, bool stream, int? n)
    {
        using var client = gateway.Http();
        var before = gateway.Simulator.Stats.Total.Snapshot();
        var calls = gateway.Scorer.Calls.Count;

        var body = new Dictionary<string, object> { ["model"] = "gpt-image-1", ["prompt"] = "a bad best-of" };
        if (stream)
        {
            body["stream"] = true;
        }

        if (n is not null)
        {
            body["n"] = n;
        }

        using var response = await GenerateAsync(client, body,
            ("x-imageorleans-best-of", bestOf));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(before.Requests, gateway.Simulator.Stats.Total.Snapshot().Requests);
        Assert.Equal(calls, gateway.Scorer.Calls.Count);
    }
}
