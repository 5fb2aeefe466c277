using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Client;
using ImageOrleans.Gateway.Tests.Infrastructure;
using Spectre.Console.Testing;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The <c>imageorleans batch</c> commands, run in-process against a test gateway.</summary>
public sealed class BatchCliTests(BatchesGatewayFixture gateway) : IClassFixture<BatchesGatewayFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("io-batch-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Output)> RunAsync(string key, bool interactive, params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Capabilities.Interactive = interactive;
        console.Profile.Width = 200;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(
            [.. args, "--poll-ms", "50"], stdout, stderr, environment: new Dictionary<string, string?>
            {
                ["IMAGEORLEANS_BASE_URL"] = gateway.ApiBase.ToString(),
                ["IMAGEORLEANS_API_KEY"] = key,
            }, console: console);
        return (exitCode, console.Output + stdout + stderr);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Submit_follows_the_batch_writes_every_image_with_a_manifest_and_a_rerun_resumes_without_resubmitting()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var prompts = Write("prompts.txt", $"a mug {tag}\n\na lamp {tag}\na mug {tag}\n");
        var output = Path.Combine(_folder, "out");
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        var (exitCode, text) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: false,
            "batch", "submit", prompts, "--out", output, "--model", "gpt-image-2.6-flare", "--quality", "low", "--size", "1024x1024");

        Assert.True(exitCode == 0, text);
        Assert.Contains("completed: 3/3 done, 3 completed, 0 failed, 1 cache hits, $0.0", text, StringComparison.Ordinal);
        var manifest = File.ReadAllLines(Path.Combine(output, "manifest.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["line-1", "line-3", "line-4"], manifest.Select(m => m.GetProperty("custom_id").GetString()).Order());
        Assert.All(manifest, m => Assert.True(File.Exists(Path.Combine(output, m.GetProperty("file").GetString()!)), m.ToString()));
        Assert.All(manifest, m => Assert.Equal("gpt-image-2.6-flare", m.GetProperty("model").GetString()));
        Assert.Equal(1, manifest.Count(m => m.GetProperty("cached").GetBoolean()));
        Assert.Equal(served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);

        // Killed after the manifest lost its last line: the re-run neither submits nor downloads what it has.
        File.WriteAllLines(Path.Combine(output, "manifest.jsonl"), File.ReadAllLines(Path.Combine(output, "manifest.jsonl"))[..2]);
        var (again, againText) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: false,
            "batch", "submit", prompts, "--out", output, "--model", "gpt-image-2.6-flare", "--quality", "low", "--size", "1024x1024");

        Assert.True(again == 0, againText);
        Assert.Contains("resuming batch", againText, StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, "manifest.jsonl")).Length);
        Assert.Equal(served + 2, gateway.Simulator.Stats.Total.Snapshot().Served);
        using var files = gateway.Http();
        var list = await files.GetFromJsonAsync<JsonElement>("/v1/batches?limit=100");
        Assert.Single(list.GetProperty("data").EnumerateArray(), b => againText.Contains(b.GetProperty("id").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_csv_takes_custom_ids_from_its_column_and_a_failed_item_exits_2_on_a_terminal()
    {
        var csv = Write("catalogue.csv", "custom_id,prompt,quality\nsku-1,\"a chair, oak\",low\nsku-2,a table,ultra\n");

        var (exitCode, text) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: true, "batch", "submit", csv, "--model", "gpt-image-2.6-flare");

        Assert.True(exitCode == 2, text);
        Assert.Contains("completed", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_mistakes_are_usage_errors_naming_the_line()
    {
        var csv = Write("bad.csv", "custom_id,prompt\nsku-1,a chair\nsku-2,\n");

        var (exitCode, text) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: false, "batch", "submit", csv);

        Assert.Equal(1, exitCode);
        Assert.Contains("line 3: the 'prompt' cell is empty", text, StringComparison.Ordinal);
        var (unknown, _) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: false, "batch", "submit");
        Assert.Equal(1, unknown);
    }

    [Fact]
    public async Task A_template_with_variables_is_expanded_by_the_gateway_and_a_missing_value_exits_3_naming_line_and_placeholder()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var vars = Write("vars.csv", $"sku,colour\nvase-1,red {tag}\nvase-2,green {tag}\n");
        var output = Path.Combine(_folder, "vases");

        var (exitCode, text) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: false,
            "batch", "submit", "--template", "a {colour} vase", "--vars", vars, "--custom-id-column", "sku", "--model", "gpt-image-2.6-flare", "--quality", "low", "--out", output);

        Assert.True(exitCode == 0, text);
        var manifest = File.ReadAllLines(Path.Combine(output, "manifest.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()).Order();
        Assert.Equal(["vase-1", "vase-2"], manifest);

        var broken = Write("broken.csv", "sku,colour\nvase-1,red\nvase-2,\n");
        var (failed, failedText) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: false,
            "batch", "submit", "--template", "a {colour} vase", "--vars", broken, "--custom-id-column", "sku", "--model", "gpt-image-2.6-flare");
        Assert.True(failed == 3, failedText);
        Assert.Contains("Line 3 of the variables file has no value for the placeholder '{colour}'", failedText, StringComparison.Ordinal);

        var (usage, _) = await RunAsync(BatchesGatewayFixture.KeyA, interactive: false, "batch", "submit", "--template", "a {colour} vase");
        Assert.Equal(1, usage);
    }

    [Fact]
    public async Task Images_are_written_while_the_batch_runs_and_ctrl_c_leaves_them_for_the_next_run()
    {
        // The budget pays for two images; then the batch pauses, still running.
        var (_, secret) = await gateway.CreateKeyAsync(new { name = "cli-partial", daily_budget_usd = 0.025m, batch_budget_policy = "pause" });
        var tag = Guid.NewGuid().ToString("N")[..8];
        var prompts = Write("partial.txt", string.Join('\n', Enumerable.Range(0, 4).Select(i => $"partial {tag} {i}")));
        var output = Path.Combine(_folder, "partial");
        var manifest = Path.Combine(output, "manifest.jsonl");
        using var interrupt = new CancellationTokenSource();
        using var stdout = new StringWriter();
        var console = new TestConsole();
        var run = CliApp.RunAsync(
            ["batch", "submit", prompts, "--out", output, "--model", "gpt-image-2.6-flare", "--quality", "low", "--size", "1024x1024", "--poll-ms", "50"],
            stdout, stdout, environment: new Dictionary<string, string?> { ["IMAGEORLEANS_BASE_URL"] = gateway.ApiBase.ToString(), ["IMAGEORLEANS_API_KEY"] = secret },
            console: console, cancellationToken: interrupt.Token);

        await Poll.UntilAsync(() => File.Exists(manifest) && File.ReadAllLines(manifest).Length == 2, "two images to be written while the batch runs");
        interrupt.Cancel();

        Assert.Equal(130, await run);
        Assert.Contains("in_progress", console.Output, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(output, "line-*").Length);
    }

    [Fact]
    public async Task A_cancelled_batch_exits_3_and_list_shows_it()
    {
        var (id, secret) = await gateway.CreateKeyAsync(new { name = "cli-cancel", daily_budget_usd = 0m, batch_budget_policy = "pause" });
        var prompts = Write("cancel.txt", $"never {Guid.NewGuid()}\n");
        var (submitted, submitText) = await RunAsync(secret, interactive: false, "batch", "submit", prompts, "--model", "gpt-image-2.6-flare", "--no-wait");
        Assert.True(submitted == 0, submitText);
        var batchId = submitText.Split(' ', '\n').First(w => w.StartsWith("batch_", StringComparison.Ordinal));
        using (var client = gateway.Http(secret))
        {
            await Poll.UntilAsync(() => client.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}"),
                b => b.GetProperty("imageorleans").GetProperty("paused").GetBoolean(), "the batch to pause for budget");
        }

        var (cancelled, cancelText) = await RunAsync(secret, interactive: false, "batch", "cancel", batchId);
        Assert.True(cancelled == 0, cancelText);
        var (watched, watchText) = await RunAsync(secret, interactive: false, "batch", "watch", batchId);
        Assert.True(watched == 3, watchText);
        Assert.Contains("cancelled", watchText, StringComparison.Ordinal);
        var (listed, listText) = await RunAsync(secret, interactive: false, "batch", "list");
        Assert.Equal(0, listed);
        Assert.Contains(batchId, listText, StringComparison.Ordinal);
        Assert.NotNull(id);
    }
}
