using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Files;
using ImageOrleans.Grains.Requests;
using Orleans.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Batches;

/// <inheritdoc cref="IBatchGrain"/>
/// <remarks>
/// The run is a loop in the activation, beside the calls it answers: it keeps up to
/// <see cref="BatchesOptions.MaxInFlight"/> items in the pipeline and stores each chunk of results once
/// all its items ended. A silo that dies loses only the unstored chunks; their items run again under
/// the same idempotency keys, so what was generated is replayed, not generated or charged again.
/// It is placed on the silo that accepted it, so a load balancer in front of the silos spreads batches.
/// </remarks>
[PreferLocalPlacement]
public sealed partial class BatchGrain(
    [PersistentState("batch", GrainStorageNames.Batches)] IPersistentState<BatchState> state,
    IBatchItemRunner runner,
    IOptions<BatchesOptions> options,
    TimeProvider time,
    ILogger<BatchGrain> logger) : Grain, IBatchGrain
{
    private const string ReminderName = "batch";

    private Task _saving = Task.CompletedTask;
    private readonly Dictionary<int, BatchItemOutcome?[]> _unstored = [];
    private IReadOnlyList<BatchInputLine>? _lines;
    private Task? _run;
    private bool _budgetOut;

    private string? _id;

    private string Id => _id ??= this.GetPrimaryKeyString();

    private BatchObject Batch => state.State.Batch!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Batch is { } batch && !BatchStatusNames.IsFinal(batch.Status))
        {
            LogResuming(Id, batch.Status, state.State.StoredChunks.Count);
            Start();
        }

        return Task.CompletedTask;
    }

    public async Task<BatchObject> CreateAsync(BatchSpec spec)
    {
        if (state.State.Batch is { } existing)
        {
            return View(existing);
        }

        var now = time.GetUtcNow();
        state.State = new BatchState
        {
            ChunkSize = options.Value.ChunkSize,
            Batch = new BatchObject { Id = Id, Spec = spec, Status = BatchStatus.Validating, CreatedAt = now, ExpiresAt = now + TimeSpan.FromHours(24) },
        };
        await SaveAsync();
        await this.RegisterOrUpdateReminder(ReminderName, options.Value.ResumeInterval, options.Value.ResumeInterval);
        await GrainFactory.GetGrain<IBatchIndexGrain>(spec.KeyId).AddAsync(Id);
        Start();
        return View(Batch);
    }

    public Task<BatchObject?> GetAsync(string keyId) =>
        Task.FromResult(state.State.Batch is { } batch && batch.Spec.KeyId == keyId ? View(batch) : null);

    public async Task<BatchObject?> CancelAsync(string keyId)
    {
        if (state.State.Batch is not { } batch || batch.Spec.KeyId != keyId)
        {
            return null;
        }

        if (batch.Status is BatchStatus.Validating or BatchStatus.InProgress)
        {
            state.State.Batch = batch with { Status = BatchStatus.Cancelling, CancellingAt = time.GetUtcNow(), Paused = false };
            await SaveAsync();
            Start();
        }

        return View(Batch);
    }

    public async Task<BatchObject?> ResumeAsync()
    {
        if (state.State.Batch is not { } batch)
        {
            return null;
        }

        if (batch.Paused)
        {
            state.State.Batch = batch with { Paused = false };
            await SaveAsync();
            Start();
        }

        return View(Batch);
    }

    public async Task<IReadOnlyList<BatchItemOutcome>> ReadResultsAsync(bool failures)
    {
        var results = new List<BatchItemOutcome>();
        foreach (var chunk in state.State.StoredChunks.Order())
        {
            var outcomes = await GrainFactory.GetGrain<IBatchChunkGrain>(BatchChunkGrain.KeyOf(Id, chunk)).GetAsync();
            results.AddRange(outcomes.Where(o => o.Succeeded != failures));
        }

        // While the batch runs, also what ended but is not stored yet (a finished batch has nothing unstored).
        results.AddRange(_unstored.Values.SelectMany(b => b).OfType<BatchItemOutcome>().Where(o => o.Succeeded != failures));
        return [.. results.OrderBy(o => o.Index)];
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Batch is not { } batch || BatchStatusNames.IsFinal(batch.Status))
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        // A paused batch tries again each tick: when the budget was raised, the next item gets through.
        if (batch.Paused)
        {
            state.State.Batch = batch with { Paused = false };
            await SaveAsync();
        }

        Start();
    }

    private void Start()
    {
        if (_run is null || _run.IsCompleted)
        {
            _run = RunGuardedAsync();
        }
    }

    private async Task RunGuardedAsync()
    {
        try
        {
            await RunAsync();
        }
        catch (Exception ex)
        {
            // Tried again at the next reminder tick, here or on another silo.
            LogRunFailed(ex, Id);
        }
    }

    private async Task RunAsync()
    {
        if (Batch.Status == BatchStatus.Cancelling && Batch.InProgressAt is null)
        {
            await FinishAsync(BatchStatus.Cancelled);
            return;
        }

        if (Batch.Status == BatchStatus.Validating && !await ValidateAsync())
        {
            return;
        }

        var lines = _lines ??= await LoadLinesAsync();
        if (lines is null)
        {
            return;
        }

        var chunkSize = state.State.ChunkSize;
        var pending = new LinkedList<int>(Enumerable.Range(0, lines.Count)
            .Where(i => !state.State.StoredChunks.Contains(i / chunkSize) && !IsUnstored(i)));
        var running = new List<Task<BatchItemOutcome>>();
        while (true)
        {
            while (running.Count < options.Value.MaxInFlight && Batch.Status == BatchStatus.InProgress && !Batch.Paused && !_budgetOut
                   && time.GetUtcNow() < Batch.ExpiresAt && pending.First is { } next)
            {
                pending.RemoveFirst();
                running.Add(RunItemAsync(lines[next.Value], next.Value));
            }

            if (Batch.Status != BatchStatus.InProgress || _budgetOut || time.GetUtcNow() >= Batch.ExpiresAt)
            {
                await SkipAsync(pending, lines);
            }

            if (running.Count == 0)
            {
                break;
            }

            var done = await Task.WhenAny(running);
            running.Remove(done);
            var outcome = await done;
            if (outcome.Error?.Code == BudgetExceededCode && !outcome.NotRun)
            {
                if (Batch.Status == BatchStatus.Cancelling)
                {
                    // Refused before it ran, while the batch was being cancelled: it simply did not run.
                    await RecordAsync(BatchItemOutcome.Skipped(outcome.Index, outcome.CustomId, Id, "batch_cancelled", "The batch was cancelled before this request ran."), lines.Count);
                    continue;
                }

                if (Batch.Spec.PauseOnBudget && Batch.Status == BatchStatus.InProgress)
                {
                    pending.AddFirst(outcome.Index);
                    if (!Batch.Paused)
                    {
                        LogPaused(Id);
                        state.State.Batch = Batch with { Paused = true };
                        await SaveAsync();
                    }

                    continue;
                }

                _budgetOut = true;
            }

            await RecordAsync(outcome, lines.Count);
        }

        if (Batch.Paused)
        {
            return;
        }

        if (time.GetUtcNow() >= Batch.ExpiresAt && Batch.Status == BatchStatus.InProgress)
        {
            await FinishAsync(BatchStatus.Expired);
        }
        else if (Batch.Status == BatchStatus.Cancelling)
        {
            await FinishAsync(BatchStatus.Cancelled);
        }
        else if (Batch.Status == BatchStatus.InProgress && state.State.StoredChunks.Count >= (lines.Count + chunkSize - 1) / chunkSize)
        {
            await FinishAsync(BatchStatus.Completed);
        }
    }

    private bool IsUnstored(int index) =>
        _unstored.TryGetValue(index / state.State.ChunkSize, out var buffer) && buffer[index % state.State.ChunkSize] is not null;

    /// <summary>Items that will not run (budget, expiry, cancellation) are recorded as failed, each with its reason.</summary>
    private async Task SkipAsync(LinkedList<int> pending, IReadOnlyList<BatchInputLine> lines)
    {
        var (code, message) = Batch.Status == BatchStatus.Cancelling
            ? ("batch_cancelled", "The batch was cancelled before this request ran.")
            : _budgetOut
                ? (BudgetExceededCode, "The client key's budget ran out before this request ran. Raise the budget and submit these requests again.")
                : ("batch_expired", "The batch's completion window ended before this request ran.");
        while (pending.First is { } next)
        {
            pending.RemoveFirst();
            await RecordAsync(BatchItemOutcome.Skipped(next.Value, lines[next.Value].CustomId, Id, code, message), lines.Count);
        }
    }

    private async Task<BatchItemOutcome> RunItemAsync(BatchInputLine line, int index)
    {
        if (!BestOf.TrySplit(line.Body, out var body, out var bestOf, out var invalid))
        {
            return new BatchItemOutcome { Index = index, CustomId = line.CustomId, RequestId = $"{Id}-{index}", Error = invalid };
        }

        var work = new BatchItemWork
        {
            BatchId = Id,
            KeyId = Batch.Spec.KeyId,
            Index = index,
            CustomId = line.CustomId,
            Body = body,
            Operation = BatchEndpoints.OperationOf(Batch.Spec.Endpoint) ?? ImageOperation.Generate,
            Priority = Batch.Spec.Priority,
            BestOf = bestOf,
        };
        var delay = options.Value.RetryDelay;
        while (true)
        {
            BatchItemOutcome? outcome = null;
            GatewayError? error;
            try
            {
                outcome = await runner.RunAsync(work, CancellationToken.None);
                error = outcome.Error;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A node lost mid-call, a timeout: the item is simply tried again, under the same idempotency key.
                LogItemRetry(ex, Id, index);
                error = GatewayErrors.ClusterUnavailable();
            }

            if (outcome is not null && !IsTransient(error))
            {
                return outcome;
            }

            if (outcome is not null)
            {
                LogItemWaits(Id, index, error!.Code);
            }

            if (Batch.Status != BatchStatus.InProgress || time.GetUtcNow() >= Batch.ExpiresAt)
            {
                return outcome ?? BatchItemOutcome.Skipped(index, line.CustomId, Id, "batch_expired", "The batch ended before this request could run.");
            }

            await Task.Delay(error?.RetryAfter is { } after && after > delay ? after : delay, time);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
        }
    }

    /// <summary>Capacity or a node was missing, not the request at fault: a batch waits and tries again rather than fail the item.</summary>
    private static bool IsTransient(GatewayError? error) => error is not null
        && (error.Status is 503 or 504 or 499 || (error.Status == 429 && error.Code != BudgetExceededCode));

    private const string BudgetExceededCode = "budget_exceeded";

    private async Task RecordAsync(BatchItemOutcome outcome, int total)
    {
        var chunkSize = state.State.ChunkSize;
        var chunk = outcome.Index / chunkSize;
        if (state.State.StoredChunks.Contains(chunk))
        {
            return;
        }

        if (!_unstored.TryGetValue(chunk, out var buffer))
        {
            buffer = new BatchItemOutcome?[Math.Min(chunkSize, total - (chunk * chunkSize))];
            _unstored[chunk] = buffer;
        }

        buffer[outcome.Index % chunkSize] = outcome;
        if (buffer.Any(o => o is null))
        {
            return;
        }

        var outcomes = buffer.Select(o => o!).ToList();
        await GrainFactory.GetGrain<IBatchChunkGrain>(BatchChunkGrain.KeyOf(Id, chunk)).SaveAsync(outcomes);
        _unstored.Remove(chunk);
        state.State.StoredChunks.Add(chunk);
        state.State.Batch = Batch with { Counts = Add(Batch.Counts, outcomes) };
        await SaveAsync();
    }

    private async Task<bool> ValidateAsync()
    {
        var spec = Batch.Spec;
        var content = await GrainFactory.GetGrain<IFileGrain>(spec.InputFileId).ReadAsync(spec.KeyId);
        var input = content is null
            ? new BatchInput([], [new BatchError { Code = "invalid_file", Message = $"No such file: '{spec.InputFileId}'.", Param = "input_file_id" }])
            : Read(spec, content, options.Value.MaxItems);
        var now = time.GetUtcNow();
        if (!input.IsValid)
        {
            state.State.Batch = Batch with { Status = BatchStatus.Failed, FailedAt = now, Errors = input.Errors };
            await SaveAsync();
            LogFinished(Id, BatchStatus.Failed, 0, 0);
            return false;
        }

        _lines = input.Lines;
        if (Batch.Status == BatchStatus.Validating)
        {
            state.State.Batch = Batch with
            {
                Status = BatchStatus.InProgress,
                InProgressAt = now,
                Counts = new BatchRequestCounts { Total = input.Lines.Count },
            };
            await SaveAsync();
            LogStarted(Id, input.Lines.Count);
        }

        return true;
    }

    /// <summary>The items again, after a restart: the input file is read and parsed as at validation.</summary>
    private async Task<IReadOnlyList<BatchInputLine>?> LoadLinesAsync()
    {
        var spec = Batch.Spec;
        var content = await GrainFactory.GetGrain<IFileGrain>(spec.InputFileId).ReadAsync(spec.KeyId);
        if (content is null)
        {
            state.State.Batch = Batch with
            {
                Status = BatchStatus.Failed,
                FailedAt = time.GetUtcNow(),
                Errors = [new BatchError { Code = "invalid_file", Message = "The input file was deleted while the batch ran.", Param = "input_file_id" }],
            };
            await SaveAsync();
            return null;
        }

        return Read(spec, content, int.MaxValue).Lines;
    }

    private static BatchInput Read(BatchSpec spec, byte[] content, int maxItems) => spec.Template is { } template
        ? TemplateExpander.Expand(template, content, maxItems)
        : BatchInputParser.Parse(content, spec.Endpoint, maxItems);

    private async Task FinishAsync(BatchStatus final)
    {
        var now = time.GetUtcNow();
        // The final status is shown only together with its files: a reader never sees "cancelled" without its error file.
        if (final == BatchStatus.Completed)
        {
            state.State.Batch = Batch with { Status = BatchStatus.Finalizing, FinalizingAt = now };
        }

        var counts = Batch.Counts;
        string? output = null;
        string? errors = null;
        if (counts.Completed > 0)
        {
            output = await CreateResultFileAsync(BatchIds.OutputFileId(Id), FileKind.BatchOutput, "output");
        }

        if (counts.Failed > 0)
        {
            errors = await CreateResultFileAsync(BatchIds.ErrorFileId(Id), FileKind.BatchErrors, "errors");
        }

        state.State.Batch = Batch with
        {
            Status = final,
            OutputFileId = output,
            ErrorFileId = errors,
            CompletedAt = final == BatchStatus.Completed ? now : null,
            CancelledAt = final == BatchStatus.Cancelled ? now : null,
            ExpiredAt = final == BatchStatus.Expired ? now : null,
        };
        await SaveAsync();
        LogFinished(Id, final, counts.Completed, counts.Failed);
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task<string> CreateResultFileAsync(string fileId, FileKind kind, string name)
    {
        var file = new FileObject
        {
            Id = fileId,
            KeyId = Batch.Spec.KeyId,
            Filename = $"{Id}_{name}.jsonl",
            Purpose = "batch_output",
            CreatedAt = time.GetUtcNow(),
            Kind = kind,
            BatchId = Id,
        };
        await GrainFactory.GetGrain<IFileGrain>(fileId).CreateAsync(file, content: null);
        return fileId;
    }

    /// <summary>The batch with its counts as of now: the stored chunks plus the results not stored yet.</summary>
    private BatchObject View(BatchObject batch) =>
        _unstored.Count == 0 ? batch : batch with { Counts = Add(batch.Counts, _unstored.Values.SelectMany(b => b).OfType<BatchItemOutcome>()) };

    private static BatchRequestCounts Add(BatchRequestCounts counts, IEnumerable<BatchItemOutcome> outcomes)
    {
        var (completed, failed, hits, spent) = (counts.Completed, counts.Failed, counts.CacheHits, counts.SpentUsd);
        foreach (var outcome in outcomes)
        {
            var cached = outcome.FromCache;
            completed += outcome.Succeeded ? 1 : 0;
            failed += outcome.Succeeded ? 0 : 1;
            hits += cached ? 1 : 0;
            spent += outcome.Result is { } result && !cached ? result.CostUsd : 0m;
        }

        return counts with { Completed = completed, Failed = failed, CacheHits = hits, SpentUsd = spent };
    }

    /// <summary>One write at a time: the run and the calls it interleaves with share the state.</summary>
    private Task SaveAsync()
    {
        _saving = WriteAfterAsync(_saving);
        return _saving;
    }

    private async Task WriteAfterAsync(Task previous)
    {
        try
        {
            await previous;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // That write's caller saw its failure; this one writes the state as it is now.
        }

        await state.WriteStateAsync();
    }

    [LoggerMessage(EventId = 2801, Level = LogLevel.Information, Message = "Batch {BatchId} started with {Items} items")]
    private partial void LogStarted(string batchId, int items);

    [LoggerMessage(EventId = 2802, Level = LogLevel.Information, Message = "Batch {BatchId} resumes here ({Status}, {StoredChunks} chunks stored)")]
    private partial void LogResuming(string batchId, BatchStatus status, int storedChunks);

    [LoggerMessage(EventId = 2803, Level = LogLevel.Information, Message = "Batch {BatchId} ended {Status}: {Completed} completed, {Failed} failed")]
    private partial void LogFinished(string batchId, BatchStatus status, int completed, int failed);

    [LoggerMessage(EventId = 2804, Level = LogLevel.Warning, Message = "Batch {BatchId} paused: its key's budget ran out")]
    private partial void LogPaused(string batchId);

    [LoggerMessage(EventId = 2805, Level = LogLevel.Warning, Message = "Batch {BatchId} stopped; its reminder starts it again")]
    private partial void LogRunFailed(Exception exception, string batchId);

    [LoggerMessage(EventId = 2806, Level = LogLevel.Warning, Message = "Batch {BatchId} item {Index} failed on its way through the cluster; it is tried again")]
    private partial void LogItemRetry(Exception exception, string batchId, int index);

    [LoggerMessage(EventId = 2807, Level = LogLevel.Debug, Message = "Batch {BatchId} item {Index} waits and is tried again ({Code})")]
    private partial void LogItemWaits(string batchId, int index, string? code);
}
