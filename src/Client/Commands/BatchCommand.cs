using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using ImageOrleans.Client.Batches;
using ImageOrleans.Client.Cli;
using ImageOrleans.Client.Serialization;
using Spectre.Console;

namespace ImageOrleans.Client.Commands;

/// <summary>
/// <c>imageorleans batch submit|watch|download|cancel|list</c>, on System.CommandLine with Spectre.Console
/// output: a live progress bar on a terminal, one plain line per change otherwise. Exit codes: 0 all
/// done, 2 some items failed, 3 the batch failed, expired or was cancelled (or the gateway refused), 1 a
/// usage error.
/// </summary>
internal static class BatchCommand
{
    public const string Name = "batch";
    public const string StateFileName = ".imageorleans-batch.json";

    private static readonly TimeSpan PartialWriteInterval = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, IAnsiConsole console, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var baseUrl = new Option<string?>(ConnectionSettings.BaseUrlOption) { Description = "Gateway API root (default $IMAGEORLEANS_BASE_URL, $OPENAI_BASE_URL, http://localhost:5000/v1).", Recursive = true };
        var apiKey = new Option<string?>(ConnectionSettings.ApiKeyOption) { Description = "API key (default $IMAGEORLEANS_API_KEY, $OPENAI_API_KEY; prefer the environment).", Recursive = true };
        var poll = new Option<int>("--poll-ms") { Description = "How often to ask for progress.", DefaultValueFactory = _ => 2000, Recursive = true };
        var batch = new Command(Name, "Submit, follow, download and cancel batches of image generations.") { baseUrl, apiKey, poll };

        var file = new Argument<FileInfo?>("FILE") { Description = ".txt (one prompt a line), .csv (a prompt column; custom_id, model, size, quality optional) or .jsonl (OpenAI batch lines).", Arity = ArgumentArity.ZeroOrOne };
        var template = new Option<string?>("--template") { Description = "A prompt with {placeholders}, expanded by the gateway over the rows of --vars (instead of FILE)." };
        var vars = new Option<FileInfo?>("--vars") { Description = "The variables for --template: CSV with a header row, or JSONL objects." };
        var customIdColumn = new Option<string?>("--custom-id-column") { Description = "The --vars column that gives each item its custom_id (default row-N)." };
        var model = new Option<string?>("--model") { Description = "Model for lines that do not name one." };
        var size = new Option<string?>("--size") { Description = "Size for lines that do not set one." };
        var quality = new Option<string?>("--quality") { Description = "Quality for lines that do not set one." };
        var priority = new Option<string?>("--priority") { Description = "high, normal or low (default low; the key must allow more)." };
        priority.AcceptOnlyFromAmong("high", "normal", "low");
        var submitOut = new Option<DirectoryInfo?>("--out") { Description = "Folder for the images and manifest.jsonl; re-running with it resumes instead of resubmitting." };
        var noWait = new Option<bool>("--no-wait") { Description = "Print the batch id and exit without waiting." };
        var submit = new Command("submit", "Upload FILE as a batch, follow it and (with --out) download its images.") { file, template, vars, customIdColumn, model, size, quality, priority, submitOut, noWait };

        var id = new Argument<string>("ID") { Description = "The batch id (batch_…)." };
        var watch = new Command("watch", "Follow a batch until it ends.") { id };
        var downloadOut = new Option<DirectoryInfo>("--out") { Description = "Folder for the images and manifest.jsonl.", Required = true };
        var download = new Command("download", "Wait for a batch to end and write its images with manifest.jsonl; resumable.") { id, downloadOut };
        var cancel = new Command("cancel", "Cancel a batch: items not started do not run.") { id };
        var limit = new Option<int>("--limit") { Description = "How many batches, newest first.", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "List your batches, newest first.") { limit };
        batch.Add(submit);
        batch.Add(watch);
        batch.Add(download);
        batch.Add(cancel);
        batch.Add(list);

        Session Open(ParseResult parse)
        {
            var settings = ConnectionSettings.Resolve(parse.GetValue(baseUrl), parse.GetValue(apiKey), context, "imageorleans batch --help");
            var http = context.CreateHttpClient();
            var options = settings.ToClientOptions(TimeSpan.FromMinutes(5));
            return new Session(http, new ImageOrleansBatchClient(http, options), new ImageOrleansClient(http, options), console, TimeSpan.FromMilliseconds(Math.Max(10, parse.GetValue(poll))));
        }

        submit.SetAction((parse, token) => GuardAsync(console, async () =>
        {
            using var session = Open(parse);
            var (input, prompt, variables) = (parse.GetValue(file), parse.GetValue(template), parse.GetValue(vars));
            if ((input is null) == (prompt is null) || (prompt is null) != (variables is null))
            {
                console.MarkupLine("[red]error:[/] give FILE, or --template with --vars");
                return ExitCodes.BatchUsage;
            }

            var source = (input ?? variables)!;
            byte[] content;
            int? count = null;
            try
            {
                if (input is not null)
                {
                    (content, var lines) = BatchInputBuilder.Build(input.Name, await File.ReadAllTextAsync(input.FullName, token), new BatchDefaults(parse.GetValue(model), parse.GetValue(size), parse.GetValue(quality)));
                    count = lines;
                }
                else
                {
                    content = await File.ReadAllBytesAsync(variables!.FullName, token);
                }
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                console.MarkupLineInterpolated($"[red]error:[/] {source.Name}: {ex.Message}");
                return ExitCodes.BatchUsage;
            }

            var body = prompt is null ? null : new ImageGenerationRequest { Prompt = prompt, Model = parse.GetValue(model), Size = parse.GetValue(size), Quality = parse.GetValue(quality) };
            var folder = parse.GetValue(submitOut)?.FullName;
            var state = await SubmitOrResumeAsync(session, folder, source.Name, content, body, parse.GetValue(customIdColumn), parse.GetValue(priority), token);
            console.MarkupLineInterpolated($"batch [bold]{state.Id}[/] ({(count is { } n ? $"{n} requests" : "expanded by the gateway")})");
            if (parse.GetValue(noWait))
            {
                return ExitCodes.Success;
            }

            return await FinishAsync(session, state, folder, token);
        }, token));

        watch.SetAction((parse, token) => GuardAsync(console, async () =>
        {
            using var session = Open(parse);
            return await FinishAsync(session, await session.Batches.GetAsync(parse.GetValue(id)!, token), null, token);
        }, token));

        download.SetAction((parse, token) => GuardAsync(console, async () =>
        {
            using var session = Open(parse);
            return await FinishAsync(session, await session.Batches.GetAsync(parse.GetValue(id)!, token), parse.GetValue(downloadOut)!.FullName, token);
        }, token));

        cancel.SetAction((parse, token) => GuardAsync(console, async () =>
        {
            using var session = Open(parse);
            var state = await session.Batches.CancelAsync(parse.GetValue(id)!, token);
            console.MarkupLineInterpolated($"batch [bold]{state.Id}[/] {state.Status}");
            return ExitCodes.Success;
        }, token));

        list.SetAction((parse, token) => GuardAsync(console, async () =>
        {
            using var session = Open(parse);
            var table = new Table().AddColumns("id", "status", "done", "failed", "total");
            foreach (var state in await session.Batches.ListAsync(Math.Clamp(parse.GetValue(limit), 1, 100), token))
            {
                table.AddRow(state.Id, state.Status, Number(state.Done), Number(state.Failed), Number(state.Total));
            }

            console.Write(table);
            return ExitCodes.Success;
        }, token));

        var root = new RootCommand("imageorleans") { batch };
        var parsed = root.Parse([Name, .. args]);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
    }

    private static Task<int> GuardAsync(IAnsiConsole console, Func<Task<int>> action, CancellationToken cancellationToken) => GuardCoreAsync(console, action, cancellationToken);

    private static async Task<int> GuardCoreAsync(IAnsiConsole console, Func<Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action();
        }
        catch (CommandLineException ex)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ExitCodes.BatchUsage;
        }
        catch (ImageOrleansException ex)
        {
            console.MarkupLineInterpolated($"[red]error:[/] HTTP {ex.StatusCode}{(ex.Code is { } code ? $" ({code})" : "")}: {ex.Message}");
            return ExitCodes.BatchFailed;
        }
        catch (HttpRequestException ex)
        {
            console.MarkupLineInterpolated($"[red]error:[/] could not reach the gateway: {ex.Message}");
            return ExitCodes.BatchFailed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]interrupted[/]: run the same command again to resume");
            return ExitCodes.Canceled;
        }
    }

    /// <summary>A batch already submitted from this folder with the same input is resumed, not submitted again.</summary>
    private static async Task<BatchState> SubmitOrResumeAsync(
        Session session, string? folder, string fileName, byte[] content, ImageGenerationRequest? template, string? customIdColumn, string? priority, CancellationToken token)
    {
        var templateBytes = template is null ? [] : JsonSerializer.SerializeToUtf8Bytes(template, ClientJsonContext.Default.ImageGenerationRequest);
        var sha = Convert.ToHexStringLower(SHA256.HashData([.. content, .. templateBytes, .. System.Text.Encoding.UTF8.GetBytes(customIdColumn ?? "")]));
        var statePath = folder is null ? null : Path.Combine(folder, StateFileName);
        if (statePath is not null && File.Exists(statePath)
            && JsonSerializer.Deserialize(await File.ReadAllTextAsync(statePath, token), ClientJsonContext.Default.SubmittedBatch) is { } known
            && known.InputSha256 == sha)
        {
            session.Console.MarkupLineInterpolated($"resuming batch [bold]{known.BatchId}[/] submitted from this folder");
            return await session.Batches.GetAsync(known.BatchId, token);
        }

        var fileId = await session.Batches.UploadAsync(content, template is null ? Path.ChangeExtension(fileName, ".jsonl") : fileName, token);
        var state = template is null
            ? await session.Batches.CreateAsync(fileId, priority, token)
            : await session.Batches.CreateFromTemplateAsync(fileId, template, customIdColumn, priority, token);
        if (statePath is not null)
        {
            Directory.CreateDirectory(folder!);
            await File.WriteAllTextAsync(statePath, JsonSerializer.Serialize(new SubmittedBatch { BatchId = state.Id, InputSha256 = sha }, ClientJsonContext.Default.SubmittedBatch), token);
        }

        return state;
    }

    private static async Task<int> FinishAsync(Session session, BatchState state, string? folder, CancellationToken token)
    {
        // Images are written as items complete (at most every few seconds), so a run killed half way has half.
        var (lastWrite, lastCompleted) = (DateTimeOffset.MinValue, 0);
        async Task WriteSoFarAsync(BatchState now)
        {
            if (folder is not null && !now.IsFinal && now.Completed > lastCompleted && DateTimeOffset.UtcNow - lastWrite >= PartialWriteInterval)
            {
                (lastWrite, lastCompleted) = (DateTimeOffset.UtcNow, now.Completed);
                await BatchDownloader.DownloadAsync(session.Batches, session.Images, now, folder, token);
            }
        }

        state = await BatchProgress.FollowAsync(session.Console, state, id => session.Batches.GetAsync(id, token), session.PollInterval, WriteSoFarAsync, token);
        BatchDownloader.Summary? files = null;
        if (folder is not null)
        {
            files = await BatchDownloader.DownloadAsync(session.Batches, session.Images, state, folder, token);
        }

        var table = new Table().AddColumns("batch", "status", "completed", "failed", "cache hits", "files", "spend (USD)");
        table.AddRow(
            state.Id,
            state.Status,
            Number(state.Completed),
            Number(state.Failed),
            Number(state.CacheHits),
            files is null ? "-" : Number(files.Written + files.Skipped),
            state.SpentUsd.ToString("0.####", CultureInfo.InvariantCulture));
        session.Console.Write(table);
        foreach (var error in state.Errors)
        {
            session.Console.MarkupLineInterpolated($"[red]{error}[/]");
        }

        return state.Status switch
        {
            "completed" when state.Failed == 0 => ExitCodes.Success,
            "completed" => ExitCodes.BatchSomeFailed,
            _ => ExitCodes.BatchFailed,
        };
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private sealed class Session(HttpClient http, ImageOrleansBatchClient batches, ImageOrleansClient images, IAnsiConsole console, TimeSpan pollInterval) : IDisposable
    {
        public ImageOrleansBatchClient Batches { get; } = batches;

        public ImageOrleansClient Images { get; } = images;

        public IAnsiConsole Console { get; } = console;

        public TimeSpan PollInterval { get; } = pollInterval;

        public void Dispose() => http.Dispose();
    }
}
