using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Maintenance;
using Orleans.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Caching;

/// <inheritdoc cref="IPromptCacheGrain"/>
/// <remarks>
/// Placed on the silo whose front door asked first: the common path (one request, no twin in flight)
/// then costs no network hop, while an identical request arriving elsewhere still finds this one.
/// </remarks>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class PromptCacheGrain(
    [PersistentState("entry", GrainStorageNames.Cache)] IPersistentState<PromptCacheState> state,
    IOptions<CacheOptions> options,
    SettlementBook settlements,
    Dispatcher dispatcher,
    ImageWriteBehind writeBehind,
    CachedAnswers answers,
    ExpiryNotes expiries,
    TimeProvider time,
    ILogger<PromptCacheGrain> logger) : Grain, IPromptCacheGrain
{
    private InFlight? _inFlight;

    // The cached answer's images while they are still being stored behind it, with their bytes.
    private Pending? _pending;

    // Set when the activation ends: work still completing on it (a store behind an answer) shows nothing.
    private bool _ended;

    // How many requests this activation was asked to answer, and whether it generated: a prompt that
    // repeats is kept in memory, one seen once lets go of it once its answer is stored (and is never shown
    // to the front doors, which would otherwise answer a repeat from an activation that is ending).
    private int _asked;
    private bool _generated;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Publish();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _ended = true;
        answers.Remove(this.GetPrimaryKeyString(), this);
        return Task.CompletedTask;
    }

    public async Task<GenerationReply?> GetCachedAsync(GenerationJob job)
    {
        _asked++;
        if (await HitAsync(job) is not { } hit)
        {
            // A stream that found nothing generates elsewhere: nothing here to keep.
            LetGoIfSeenOnce();
            return null;
        }

        await settlements.SettleAsync(job, hit, SettlementRole.Beneficiary);
        return hit;
    }

    public async Task<GenerationReply> GetOrGenerateAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        _asked++;
        if (await HitAsync(job) is { } hit)
        {
            if (_asked == 2)
            {
                // The prompt repeats: from now on this silo's front doors answer it without a grain call.
                Publish();
            }

            await settlements.SettleAsync(job, hit, SettlementRole.Beneficiary);
            return hit;
        }

        if (_inFlight is { Completion.IsCompleted: true })
        {
            _inFlight = null;
        }

        // The job that starts the generation is settled where the generation completes (the
        // dispatcher); a job that joins it is settled here, for free.
        var coalesced = _inFlight is not null;
        var flight = _inFlight ??= Start(job);
        flight.Waiters++;
        GenerationReply reply;
        try
        {
            reply = await flight.Completion.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reply = GenerationReply.Failure(GatewayErrors.Cancelled());
        }
        finally
        {
            // The shared upstream call is only worth finishing while somebody still waits for it; a
            // request arriving after this starts a generation of its own rather than join a cancelled one.
            if (--flight.Waiters == 0 && !flight.Completion.IsCompleted)
            {
                if (ReferenceEquals(_inFlight, flight))
                {
                    _inFlight = null;
                }

                await flight.Cancellation.CancelAsync();
            }
        }

        if (!job.StoreBehind && flight.Stored is { } stored)
        {
            // Joined a generation answered from its bytes: an answer by link waits until they are stored.
            await stored;
        }

        if (!coalesced)
        {
            return reply;
        }

        reply = reply.Error is { Code: GatewayErrors.CancelledCode } ? reply : reply with { Cache = CacheStatus.Coalesced };
        await settlements.SettleAsync(job, reply, SettlementRole.Beneficiary);
        return reply;
    }

    /// <summary>
    /// The cached answer, or null. While its images are still being stored, a caller that answers from bytes
    /// gets them from memory; any other waits for the store (a link must work), and finds no entry if it failed.
    /// </summary>
    private async ValueTask<GenerationReply?> HitAsync(GenerationJob job)
    {
        if (_pending is { } pending && ReferenceEquals(pending.Result, state.State.Result))
        {
            if (!pending.Written.IsCompleted)
            {
                if (job.StoreBehind)
                {
                    return new GenerationReply { Result = pending.Result, Cache = CacheStatus.Hit, Contents = pending.Contents };
                }

                await pending.Stored;
            }
            else if (!pending.Written.Result)
            {
                // The store failed: the entry is being dropped.
                return null;
            }
        }

        return state.State.Result is { } cached && time.GetUtcNow() < state.State.ExpiresAt
            ? new GenerationReply { Result = cached, Cache = CacheStatus.Hit }
            : null;
    }

    public ValueTask<int> GetWaitingAsync() => ValueTask.FromResult(_inFlight is { Completion.IsCompleted: false } flight ? flight.Waiters : 0);

    public async ValueTask InvalidateAsync(IReadOnlyList<string>? ifImages = null)
    {
        if (ifImages is not null && (state.State.Result is not { } cached || !cached.Images.Select(i => i.ImageId).SequenceEqual(ifImages)))
        {
            return;
        }

        state.State = new PromptCacheState();
        answers.Remove(this.GetPrimaryKeyString(), this);
        await state.ClearStateAsync();
    }

    public async Task<bool> ExpireAsync()
    {
        if (!state.RecordExists || _inFlight is not null || _pending is not null || time.GetUtcNow() < state.State.ExpiresAt)
        {
            // Written again since (a later bucket holds it), or gone already.
            return false;
        }

        state.State = new PromptCacheState();
        answers.Remove(this.GetPrimaryKeyString(), this);
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    private InFlight Start(GenerationJob job)
    {
        _generated = true;
        var flight = new InFlight();
        flight.Completion = GenerateAsync(job, flight);
        return flight;
    }

    private async Task<GenerationReply> GenerateAsync(GenerationJob job, InFlight flight)
    {
        try
        {
            // This silo's dispatcher, in process and off this activation's scheduler: the generation runs and
            // is settled on its own, as it did behind a grain call, whatever becomes of this activation.
            var reply = await Task.Run(() => dispatcher.GenerateAsync(job, flight.Cancellation.Token), CancellationToken.None);
            if (reply.Result is { } result)
            {
                state.State = new PromptCacheState { Result = result, ExpiresAt = time.GetUtcNow() + options.Value.Ttl };
                if (reply.Contents is { } contents)
                {
                    // Answered from the upstream's bytes: the entry serves from them until its images are
                    // stored, and is persisted only then.
                    var pending = new Pending(result, contents, writeBehind.SaveAsync(result, contents, job.AnswerId));
                    _pending = pending;
                    pending.Stored = StoreThenPersistAsync(pending);
                    flight.Stored = pending.Stored;
                }
                else
                {
                    // Stored behind the answer, never in front of it: the waiters have their images now.
                    Publish();
                    _ = PersistAsync();
                }
            }
            else
            {
                // Nothing to keep: the activation ends once its callers have their answer.
                LetGoIfSeenOnce();
            }

            return reply;
        }
        catch (OperationCanceledException)
        {
            return GenerationReply.Failure(GatewayErrors.Cancelled());
        }
        finally
        {
            if (ReferenceEquals(_inFlight, flight))
            {
                _inFlight = null;
            }

            flight.Cancellation.Dispose();
        }
    }

    /// <summary>
    /// Ends an activation that generated for one request and was asked for nothing else: a prompt seen once
    /// costs no memory once its answer is stored (an activation and its entry are kept for the collection
    /// age otherwise: ~3 KB each, at 1,000 distinct prompts a second gigabytes). Its entry stays in storage: a request
    /// that repeats it activates it again, finds the entry, and that activation stays. The ending waits for
    /// the requests still running on it (the generation's callers).
    /// </summary>
    private void LetGoIfSeenOnce()
    {
        if (_asked <= 1 && !_ended && _pending is null)
        {
            DeactivateOnIdle();
        }
    }

    private async Task StoreThenPersistAsync(Pending pending)
    {
        var stored = await pending.Written;
        if (ReferenceEquals(_pending, pending))
        {
            _pending = null;
        }

        if (!ReferenceEquals(state.State.Result, pending.Result))
        {
            // Invalidated or replaced meanwhile.
            return;
        }

        if (stored)
        {
            // Those who wait for the images do not wait for the entry's own storage write too.
            Publish();
            _ = PersistAsync();
        }
        else
        {
            // An entry must never point at images that are not there: a failed store leaves nothing cached.
            state.State = new PromptCacheState();
            answers.Remove(this.GetPrimaryKeyString(), this);
        }
    }

    /// <summary>Shows this silo's front doors the answer this activation serves from its stored images.</summary>
    private void Publish()
    {
        if (!_ended && (_asked > 1 || !_generated) && _pending is null
            && state.State.Result is { } result && time.GetUtcNow() < state.State.ExpiresAt)
        {
            answers.Set(this.GetPrimaryKeyString(), this, result, state.State.ExpiresAt);
        }
    }

    private async Task PersistAsync()
    {
        try
        {
            // Noted before the write: a note for a row that was never written is dropped by the sweep.
            expiries.Add(ExpiringKind.PromptCache, this.GetPrimaryKeyString(), state.State.ExpiresAt);
            await state.WriteStateAsync();
            LetGoIfSeenOnce();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The entry still serves from memory; only a restart would forget it.
            LogPersistFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Storing a prompt cache entry failed; it is served from memory until this activation ends")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception);

    private sealed class InFlight
    {
        public CancellationTokenSource Cancellation { get; } = new();

        public Task<GenerationReply> Completion { get; set; } = null!;

        public int Waiters { get; set; }

        /// <summary>Storing the images of an answer given from their bytes; null when they were stored before it.</summary>
        public Task? Stored { get; set; }
    }

    private sealed class Pending(GenerationResult result, IReadOnlyList<ReadOnlyMemory<byte>> contents, Task<bool> written)
    {
        public GenerationResult Result { get; } = result;

        public IReadOnlyList<ReadOnlyMemory<byte>> Contents { get; } = contents;

        /// <summary>Writing the images to the store: true once they are all there.</summary>
        public Task<bool> Written { get; } = written;

        /// <summary>The write and, after it, the entry kept (persisted) or dropped.</summary>
        public Task Stored { get; set; } = Task.CompletedTask;
    }
}
