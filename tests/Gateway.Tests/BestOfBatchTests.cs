using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Batch items with <c>best_of</c>: candidates generated and charged, ranked by the configured scorer hook.</summary>
public sealed class BestOfBatchTests(BestOfGatewayFixture gateway) : IClassFixture<BestOfGatewayFixture>
{
    private async Task<JsonElement> RunAsync(object body)
    {
        using var client = gateway.Http();
        var line = JsonSerializer.Serialize(new { custom_id = "best", method = "POST", url = "/v1/images/generations", body });
        using var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(line + "\n")), "file", "best.jsonl" } };
        using var uploaded = await client.PostAsync("/v1/files", form);
        var fileId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var created = await client.PostAsJsonAsync("/v1/batches", new { input_file_id = fileId, endpoint = "/v1/images/generations", completion_window = "24h" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var done = await Poll.UntilAsync(() => client.GetFromJsonAsync<JsonElement>($"/v1/batches/{id}"),
            b => b.GetProperty("status").GetString() == "completed", "the best-of batch to complete");
        var fileOf = done.GetProperty("output_file_id").ValueKind == JsonValueKind.String ? done.GetProperty("output_file_id") : done.GetProperty("error_file_id");
        var content = await client.GetStringAsync($"/v1/files/{fileOf.GetString()}/content");
        return JsonDocument.Parse(content.Trim()).RootElement.Clone();
    }

    private static string ImageId(string url) => new Uri(url).Segments[^1];

    [Fact]
    public async Task Three_candidates_in_one_call_are_charged_and_the_scorers_best_is_kept_with_its_score()
    {
        gateway.Scorer.Failing = false;
        var before = gateway.Simulator.Stats.Total.Snapshot();
        var calls = gateway.Scorer.Calls.Count;

        var line = await RunAsync(new { model = "gpt-image-1", prompt = $"best of three {Guid.NewGuid()}", quality = "low", size = "1024x1024", best_of = 3 });

        var after = gateway.Simulator.Stats.Total.Snapshot();
        Assert.Equal((before.Served + 1, before.Images + 3), (after.Served, after.Images));
        var data = line.GetProperty("response").GetProperty("body").GetProperty("data");
        Assert.Equal(1, data.GetArrayLength());
        var extras = line.GetProperty("imageorleans");
        Assert.Equal(3, extras.GetProperty("best_of").GetInt32());
        Assert.Equal([2.0], extras.GetProperty("scores").EnumerateArray().Select(s => s.GetDouble()));
        var sent = gateway.Scorer.Calls.Skip(calls).Single();
        Assert.Equal(3, sent.Count);
        Assert.Equal(ImageId(sent[2]), ImageId(data[0].GetProperty("url").GetString()!));
        using var anonymous = gateway.Http(key: null);
        using var image = await anonymous.GetAsync(new Uri(sent[0]));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
    }

    [Fact]
    public async Task A_one_image_model_makes_a_call_per_candidate_and_a_failing_scorer_keeps_the_first_and_says_so()
    {
        gateway.Scorer.Failing = true;
        var before = gateway.Simulator.Stats.Total.Snapshot();
        var calls = gateway.Scorer.Calls.Count;
        try
        {
            var line = await RunAsync(new { model = "dall-e-3", prompt = $"best of two {Guid.NewGuid()}", best_of = 2 });

            Assert.Equal(before.Served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);
            var extras = line.GetProperty("imageorleans");
            Assert.Equal(JsonValueKind.Null, extras.GetProperty("scores").ValueKind);
            Assert.Equal("the scorer answered 500", extras.GetProperty("scorer_failed").GetString());
            var sent = gateway.Scorer.Calls.Skip(calls).ToList();
            Assert.Equal(2, sent.Count);
            Assert.Equal(ImageId(sent[0][0]), ImageId(line.GetProperty("response").GetProperty("body").GetProperty("data")[0].GetProperty("url").GetString()!));
        }
        finally
        {
            gateway.Scorer.Failing = false;
        }
    }

    [Fact]
    public async Task A_bad_best_of_is_the_items_own_400()
    {
        var line = await RunAsync(new { model = "gpt-image-1", prompt = "x", best_of = 11 });

        Assert.Equal(400, line.GetProperty("response").GetProperty("status_code").GetInt32());
        Assert.Equal("best_of", line.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("param").GetString());
    }
}
