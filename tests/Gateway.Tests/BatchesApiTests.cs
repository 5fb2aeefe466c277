using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using OpenAI.Batch;
using OpenAI.Files;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Files and Batches in OpenAI's shape, driven by the official .NET SDK's file and batch clients.</summary>
public sealed class BatchesApiTests(BatchesGatewayFixture gateway) : IClassFixture<BatchesGatewayFixture>
{
    private static string Line(string customId, object body, string url = "/v1/images/generations") =>
        JsonSerializer.Serialize(new { custom_id = customId, method = "POST", url, body });

    private static BinaryData Jsonl(IEnumerable<string> lines) => BinaryData.FromString(string.Join('\n', lines) + "\n");

    private static async Task<(string FileId, CreateBatchOperation Batch)> SubmitAsync(
        BatchesGatewayFixture gateway, BinaryData content, string key = BatchesGatewayFixture.KeyA, string endpoint = "/v1/images/generations")
    {
        var file = await gateway.FileClient(key).UploadFileAsync(content, "input.jsonl", FileUploadPurpose.Batch);
        var create = BinaryContent.Create(BinaryData.FromObjectAsJson(new
        {
            input_file_id = file.Value.Id,
            endpoint,
            completion_window = "24h",
            metadata = new Dictionary<string, string> { ["run"] = "sdk" },
        }));
        var operation = await gateway.BatchClient(key).CreateBatchAsync(create, waitUntilCompleted: false);
        return (file.Value.Id, operation);
    }

    private static async Task<JsonElement> ReadAsync(CreateBatchOperation batch) =>
        JsonDocument.Parse((await batch.GetBatchAsync(options: null)).GetRawResponse().Content).RootElement.Clone();

    private static Task<JsonElement> UntilAsync(CreateBatchOperation batch, Func<JsonElement, bool> done, string expectation) =>
        Poll.UntilAsync(() => ReadAsync(batch), done, expectation);

    private static bool Status(JsonElement batch, string status) => batch.GetProperty("status").GetString() == status;

    private static async Task<List<JsonElement>> LinesAsync(OpenAIFileClient files, string fileId)
    {
        var content = await files.DownloadFileAsync(fileId);
        return content.Value.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task The_sdk_runs_a_batch_whose_output_and_error_files_hold_every_custom_id_once()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        var lines = Enumerable.Range(0, 9).Select(i => Line($"item-{i}", new { model = "gpt-image-2.6-flare", prompt = $"catalogue {tag} {i % 7}", quality = "low", size = "1024x1024" }))
            .Append(Line("as-bytes", new { model = "dall-e-2", prompt = $"bytes {tag}", response_format = "b64_json", size = "256x256" }))
            .Append(Line("bad-quality", new { model = "gpt-image-2.6-flare", prompt = "x", quality = "ultra" }))
            .Append(Line("bad-field", new { model = "gpt-image-2.6-flare", prompt = "x", colour = "red" }));
        var (fileId, batch) = await SubmitAsync(gateway, Jsonl(lines));

        var done = await UntilAsync(batch, b => Status(b, "completed"), "the batch to complete");

        Assert.Equal(fileId, done.GetProperty("input_file_id").GetString());
        Assert.Equal("batch", done.GetProperty("object").GetString());
        Assert.Equal("sdk", done.GetProperty("metadata").GetProperty("run").GetString());
        Assert.Equal("low", done.GetProperty("imageorleans").GetProperty("priority").GetString());
        var counts = done.GetProperty("request_counts");
        Assert.Equal((12, 10, 2), (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32()));
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("completed_at").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("in_progress_at").ValueKind);

        // Seven distinct catalogue prompts and one dall-e-2 prompt: two of the nine are answered without a generation.
        Assert.Equal(served + 8, gateway.Simulator.Stats.Total.Snapshot().Served);
        Assert.Equal(2, done.GetProperty("imageorleans").GetProperty("cache_hits").GetInt32());

        var files = gateway.FileClient();
        var output = await LinesAsync(files, done.GetProperty("output_file_id").GetString()!);
        Assert.Equal([.. Enumerable.Range(0, 9).Select(i => $"item-{i}"), "as-bytes"], output.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.All(output, l => Assert.Equal(200, l.GetProperty("response").GetProperty("status_code").GetInt32()));
        var first = output[0].GetProperty("response").GetProperty("body").GetProperty("data")[0];
        using var anonymous = gateway.Http(key: null);
        using var image = await anonymous.GetAsync(new Uri(first.GetProperty("url").GetString()!));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        var bytes = output[9].GetProperty("response").GetProperty("body").GetProperty("data")[0].GetProperty("b64_json").GetBytesFromBase64();
        Assert.Equal((byte)0x89, bytes[0]);

        var spent = done.GetProperty("imageorleans").GetProperty("spent_usd").GetDecimal();
        Assert.True(spent > 0m, done.ToString());
        Assert.Equal(spent, output.Sum(l => l.GetProperty("imageorleans").GetProperty("cost_usd").GetDecimal()));

        var errors = await LinesAsync(files, done.GetProperty("error_file_id").GetString()!);
        Assert.Equal(["bad-quality", "bad-field"], errors.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.All(errors, l => Assert.Equal(400, l.GetProperty("response").GetProperty("status_code").GetInt32()));
        Assert.Equal("colour", errors[1].GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("param").GetString());

        var outputFile = await files.GetFileAsync(done.GetProperty("output_file_id").GetString()!);
        Assert.Equal(FilePurpose.BatchOutput, outputFile.Value.Purpose);
    }

    [Fact]
    public async Task An_edits_batch_runs_json_edits_with_data_url_images_and_a_bad_line_is_its_own_error()
    {
        const string Edits = "/v1/images/edits";
        var photo = TestPng.Create(64, 64, seed: 7);
        var prompt = $"batch edit {Guid.NewGuid():N}";
        var image = new { image_url = "data:image/png;base64," + Convert.ToBase64String(photo) };
        var lines = new[]
        {
            Line("edit-ok", new { model = "gpt-image-2.6-flare", prompt, images = new[] { image }, quality = "low" }, Edits),
            Line("edit-no-images", new { model = "gpt-image-2.6-flare", prompt = "nothing to edit" }, Edits),
            Line("edit-bad-url", new { model = "gpt-image-2.6-flare", prompt = "bad", images = new[] { new { image_url = "data:image/png;base64,@@@" } } }, Edits),
        };
        var (_, batch) = await SubmitAsync(gateway, Jsonl(lines), endpoint: Edits);

        var done = await UntilAsync(batch, b => Status(b, "completed"), "the edits batch to complete");

        Assert.Equal(Edits, done.GetProperty("endpoint").GetString());
        var counts = done.GetProperty("request_counts");
        Assert.Equal((3, 1, 2), (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32()));
        var received = Assert.Single(gateway.Simulator.Edits.Received, e => e.Fields.GetValueOrDefault("prompt") == prompt);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo)), Assert.Single(received.Images).Sha256);

        var files = gateway.FileClient();
        var output = Assert.Single(await LinesAsync(files, done.GetProperty("output_file_id").GetString()!));
        Assert.Equal("edit-ok", output.GetProperty("custom_id").GetString());
        using var anonymous = gateway.Http(key: null);
        using var edited = await anonymous.GetAsync(new Uri(output.GetProperty("response").GetProperty("body").GetProperty("data")[0].GetProperty("url").GetString()!));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        var errors = await LinesAsync(files, done.GetProperty("error_file_id").GetString()!);
        Assert.Equal(["edit-no-images", "edit-bad-url"], errors.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.All(errors, l => Assert.Equal(400, l.GetProperty("response").GetProperty("status_code").GetInt32()));
        Assert.Equal(["images", "images[0]"], errors.Select(l => l.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("param").GetString()));
    }

    [Fact]
    public async Task Files_and_batches_of_one_key_are_404_for_another()
    {
        var (fileId, batch) = await SubmitAsync(gateway, Jsonl([Line("only", new { model = "gpt-image-2.6-flare", prompt = "scoped " + Guid.NewGuid() })]));
        var done = await UntilAsync(batch, b => Status(b, "completed"), "the batch to complete");
        var batchId = done.GetProperty("id").GetString()!;
        var outputId = done.GetProperty("output_file_id").GetString()!;

        using var other = gateway.Http(BatchesGatewayFixture.KeyB);
        foreach (var path in (string[])[$"/v1/files/{fileId}", $"/v1/files/{fileId}/content", $"/v1/files/{outputId}/content", $"/v1/batches/{batchId}"])
        {
            using var response = await other.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var cancel = await other.PostAsync($"/v1/batches/{batchId}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }

        using (var delete = await other.DeleteAsync($"/v1/files/{fileId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }

        var theirs = await other.GetFromJsonAsync<JsonElement>("/v1/files");
        Assert.DoesNotContain(theirs.GetProperty("data").EnumerateArray(), f => f.GetProperty("id").GetString() == fileId);

        // The owner still has it, and may delete it.
        var mine = gateway.FileClient();
        Assert.Equal(fileId, (await mine.GetFileAsync(fileId)).Value.Id);
        Assert.True((await mine.DeleteFileAsync(fileId)).Value.Deleted);
        using var owner = gateway.Http();
        using var gone = await owner.GetAsync($"/v1/files/{fileId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_malformed_file_fails_the_batch_naming_each_bad_line()
    {
        var content = BinaryData.FromString(string.Join('\n',
            Line("a", new { prompt = "fine" }),
            "{\"method\":\"POST\",\"url\":\"/v1/images/generations\",\"body\":{}}",
            Line("a", new { prompt = "same id" }),
            "not json"));
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        var (_, batch) = await SubmitAsync(gateway, content);

        var failed = await UntilAsync(batch, b => Status(b, "failed"), "the batch to fail validation");

        var errors = failed.GetProperty("errors").GetProperty("data").EnumerateArray()
            .Select(e => (e.GetProperty("code").GetString(), e.GetProperty("line").GetInt32())).ToList();
        Assert.Equal([("missing_custom_id", 2), ("duplicate_custom_id", 3), ("invalid_json_line", 4)], errors);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("output_file_id").ValueKind);
        Assert.Equal(served, gateway.Simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task Create_refuses_an_unknown_file_a_foreign_endpoint_and_a_window_other_than_24h()
    {
        using var client = gateway.Http();
        var upload = await gateway.FileClient().UploadFileAsync(Jsonl([Line("x", new { prompt = "x" })]), "in.jsonl", FileUploadPurpose.Batch);
        (object Body, string Param)[] cases =
        [
            (new { input_file_id = "file-000000000000000000000000", endpoint = "/v1/images/generations", completion_window = "24h" }, "input_file_id"),
            (new { input_file_id = upload.Value.Id, endpoint = "/v1/chat/completions", completion_window = "24h" }, "endpoint"),
            (new { input_file_id = upload.Value.Id, endpoint = "/v1/images/generations", completion_window = "48h" }, "completion_window"),
            (new { input_file_id = upload.Value.Id, endpoint = "/v1/images/generations" }, "completion_window"),
        ];
        foreach (var (body, param) in cases)
        {
            using var response = await client.PostAsJsonAsync("/v1/batches", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(param, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());
        }

        using var form = new MultipartFormDataContent { { new StringContent("fine-tune"), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes("{}")), "file", "x.jsonl" } };
        using var wrongPurpose = await client.PostAsync("/v1/files", form);
        Assert.Equal(HttpStatusCode.BadRequest, wrongPurpose.StatusCode);
    }

    [Fact]
    public async Task Batches_list_newest_first_in_pages_with_limit_and_after()
    {
        var (secretKey, _) = await NewKeyAsync(new { name = "lister" });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (_, batch) = await SubmitAsync(gateway, Jsonl([Line("p", new { prompt = $"page {i} {Guid.NewGuid()}" })]), secretKey);
            ids.Add((await ReadAsync(batch)).GetProperty("id").GetString()!);
        }

        using var client = gateway.Http(secretKey);
        var first = await client.GetFromJsonAsync<JsonElement>("/v1/batches?limit=2");
        Assert.Equal([ids[2], ids[1]], first.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var second = await client.GetFromJsonAsync<JsonElement>($"/v1/batches?limit=2&after={first.GetProperty("last_id").GetString()}");
        Assert.Equal([ids[0]], second.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.False(second.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task A_budget_that_runs_out_fails_the_rest_with_budget_exceeded_and_charges_only_what_ran()
    {
        // About a cent an image at today's token prices: a $0.05 budget pays for a handful, not twelve.
        var (secret, id) = await NewKeyAsync(new { name = "batch-budget", daily_budget_usd = 0.05m });
        var tag = Guid.NewGuid().ToString("N")[..8];
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        var (_, batch) = await SubmitAsync(gateway, Jsonl(Enumerable.Range(0, 12).Select(i =>
            Line($"b{i}", new { model = "gpt-image-2.6-flare", prompt = $"budget {tag} {i}", quality = "low", size = "1024x1024" }))), secret);

        var done = await UntilAsync(batch, b => Status(b, "completed"), "the batch to complete");

        var counts = done.GetProperty("request_counts");
        var completed = counts.GetProperty("completed").GetInt32();
        Assert.InRange(completed, 2, 9);
        Assert.Equal(12 - completed, counts.GetProperty("failed").GetInt32());
        Assert.Equal(served + completed, gateway.Simulator.Stats.Total.Snapshot().Served);
        var errors = await LinesAsync(gateway.FileClient(secret), done.GetProperty("error_file_id").GetString()!);
        Assert.Equal(12 - completed, errors.Count);
        Assert.All(errors, e => Assert.Equal("budget_exceeded", e.GetProperty("error").ValueKind == JsonValueKind.Null
            ? e.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString()
            : e.GetProperty("error").GetProperty("code").GetString()));
        var spent = (await gateway.KeyAsync(id)).GetProperty("spend").GetProperty("today_usd").GetDecimal();

        // Never past the budget, and stopped because it ran out: what is left would not pay for two more.
        var perImage = spent / completed;
        Assert.InRange(spent, 0.001m, 0.05m);
        Assert.True(0.05m - spent < 2 * perImage, $"{completed} items for {spent} left {0.05m - spent} of the budget unused");
    }

    [Fact]
    public async Task A_key_that_pauses_waits_for_a_budget_raise_then_finishes_and_a_paused_batch_can_be_cancelled()
    {
        var (secret, id) = await NewKeyAsync(new { name = "batch-pause", daily_budget_usd = 0.05m, batch_budget_policy = "pause" });
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (_, batch) = await SubmitAsync(gateway, Jsonl(Enumerable.Range(0, 8).Select(i =>
            Line($"p{i}", new { model = "gpt-image-2.6-flare", prompt = $"pause {tag} {i}", quality = "low", size = "1024x1024" }))), secret);

        var paused = await UntilAsync(batch, b => b.GetProperty("imageorleans").GetProperty("paused").GetBoolean(), "the batch to pause");
        Assert.Equal("in_progress", paused.GetProperty("status").GetString());
        Assert.Equal(0, paused.GetProperty("request_counts").GetProperty("failed").GetInt32());

        using (var admin = gateway.Admin())
        {
            using var raised = await admin.PatchAsJsonAsync($"/admin/keys/{id}", new { daily_budget_usd = 10m });
            Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        }

        var done = await UntilAsync(batch, b => Status(b, "completed"), "the batch to finish after the budget raise");
        Assert.Equal(8, done.GetProperty("request_counts").GetProperty("completed").GetInt32());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error_file_id").ValueKind);

        // Paused again on a new, tiny budget, then cancelled: what did not run is listed as cancelled.
        using (var admin = gateway.Admin())
        {
            using var lowered = await admin.PatchAsJsonAsync($"/admin/keys/{id}", new { daily_budget_usd = 0m });
            Assert.Equal(HttpStatusCode.OK, lowered.StatusCode);
        }

        var (_, second) = await SubmitAsync(gateway, Jsonl(Enumerable.Range(0, 3).Select(i =>
            Line($"c{i}", new { model = "gpt-image-2.6-flare", prompt = $"cancel {tag} {i}", quality = "low", size = "1024x1024" }))), secret);
        var pausedSecond = await UntilAsync(second, b => b.GetProperty("imageorleans").GetProperty("paused").GetBoolean(), "the second batch to pause");

        // An operator may start it again (it pauses again at once: the budget is still zero); a client key may not.
        var secondId = pausedSecond.GetProperty("id").GetString();
        using (var admin = gateway.Admin())
        {
            using var resumed = await admin.PostAsync($"/admin/batches/{secondId}/resume", null);
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
            Assert.Equal(secondId, (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        }

        using (var client = gateway.Http(secret))
        {
            using var refused = await client.PostAsync($"/admin/batches/{secondId}/resume", null);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await second.CancelAsync(options: null);
        var cancelled = await UntilAsync(second, b => Status(b, "cancelled"), "the batch to be cancelled");
        Assert.Equal(3, cancelled.GetProperty("request_counts").GetProperty("failed").GetInt32());
        var errors = await LinesAsync(gateway.FileClient(secret), cancelled.GetProperty("error_file_id").GetString()!);
        Assert.All(errors, e => Assert.Equal("batch_cancelled", e.GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_template_expands_over_a_csv_with_custom_ids_from_a_column_and_a_missing_value_fails_naming_line_and_placeholder()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var files = gateway.FileClient();
        var variables = await files.UploadFileAsync(BinaryData.FromString($"sku,colour\nmug-1,red {tag}\nmug-2,blue {tag}\nmug-3,red {tag}\n"), "variables.csv", FileUploadPurpose.Batch);
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;
        using var client = gateway.Http();
        object Create(string fileId) => new
        {
            input_file_id = fileId,
            endpoint = "/v1/images/generations",
            completion_window = "24h",
            template = new { body = new { model = "gpt-image-2.6-flare", prompt = "a {colour} mug on white", quality = "low", size = "1024x1024" }, custom_id_column = "sku" },
        };

        using var created = await client.PostAsJsonAsync("/v1/batches", Create(variables.Value.Id));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var done = await Poll.UntilAsync(() => client.GetFromJsonAsync<JsonElement>($"/v1/batches/{id}"), b => Status(b, "completed"), "the template batch to complete");

        var output = await LinesAsync(files, done.GetProperty("output_file_id").GetString()!);
        Assert.Equal(["mug-1", "mug-2", "mug-3"], output.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.Equal(served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);

        var broken = await files.UploadFileAsync(BinaryData.FromString("sku,colour\nmug-1,red\nmug-2,\n"), "broken.csv", FileUploadPurpose.Batch);
        using var refused = await client.PostAsJsonAsync("/v1/batches", Create(broken.Value.Id));
        var failedId = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var failed = await Poll.UntilAsync(() => client.GetFromJsonAsync<JsonElement>($"/v1/batches/{failedId}"), b => Status(b, "failed"), "the broken template batch to fail");
        var error = Assert.Single(failed.GetProperty("errors").GetProperty("data").EnumerateArray());
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        Assert.Contains("'{colour}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<(string Secret, string Id)> NewKeyAsync(object settings)
    {
        var (id, secret) = await gateway.CreateKeyAsync(settings);
        return (secret, id);
    }
}
