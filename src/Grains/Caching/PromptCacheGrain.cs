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
    ImageWriteBehind writeBehind,
    TimeProvider time,
    ILogger<PromptCacheGrain> logger) : Grain, IPromptCacheGrain
{
    private InFlight? _inFlight;

    public async Task<GenerationReply?> GetCachedAsync(GenerationJob job)
    {
        if (state.State.Result is not { } cached || time.GetUtcNow() >= state.State.ExpiresAt)
        {
            return null;
        }

        var hit = new GenerationReply { Result = cached, Cache = CacheStatus.Hit };
        await settlements.SettleAsync(job, hit, SettlementRole.Beneficiary);
        return hit;
    }

    public async Task<GenerationReply> GetOrGenerateAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        if (state.State.Result is { } cached && time.GetUtcNow() < state.State.ExpiresAt)
        {
            var hit = new GenerationReply { Result = cached, Cache = CacheStatus.Hit };
            await settlements.SettleAsync(job, hit, SettlementRole.Beneficiary);
            return hit;
        }

        if (_inFlight is { Completion.IsCompleted: true, Stored: null or { IsCompleted: true } })
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
            // Answered from bytes that are still being stored: an answer by link waits until they are.
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

    public ValueTask<int> GetWaitingAsync() => ValueTask.FromResult(_inFlight is { Completion.IsCompleted: false } flight ? flight.Waiters : 0);

    public async ValueTask InvalidateAsync(IReadOnlyList<string>? ifImages = null)
    {
        if (ifImages is not null && (state.State.Result is not { } cached || !cached.Images.Select(i => i.ImageId).SequenceEqual(ifImages)))
        {
            return;
        }

        state.State = new PromptCacheState();
        await state.ClearStateAsync();
    }

    public async Task<bool> ExpireAsync()
    {
        if (!state.RecordExists || _inFlight is not null || time.GetUtcNow() < state.State.ExpiresAt)
        {
            // Written again since (a later bucket holds it), or gone already.
            return false;
        }

        state.State = new PromptCacheState();
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    private InFlight Start(GenerationJob job)
    {
        var flight = new InFlight();
        flight.Completion = GenerateAsync(job, flight);
        return flight;
    }

    private async Task<GenerationReply> GenerateAsync(GenerationJob job, InFlight flight)
    {
        try
        {
            var reply = await GrainFactory.GetGrain<IDispatcherGrain>(0).GenerateAsync(job, flight.Cancellation.Token);
            if (reply.Result is { } result)
            {
                if (reply.Contents is { } contents)
                {
                    // The waiters answer from the bytes now; the entry is cached once its images are stored,
                    // and until then the flight stays open, so an identical request joins it instead of paying again.
                    flight.Stored = StoreThenCacheAsync(result, contents, flight);
                }
                else
                {
                    Cache(result);
                }
            }

            return reply;
        }
        catch (OperationCanceledException)
        {
            return GenerationReply.Failure(GatewayErrors.Cancelled());
        }
        finally
        {
            if (flight.Stored is null && ReferenceEquals(_inFlight, flight))
            {
                _inFlight = null;
            }

            flight.Cancellation.Dispose();
        }
    }

    private async Task StoreThenCacheAsync(GenerationResult result, IReadOnlyList<ReadOnlyMemory<byte>> contents, InFlight flight)
    {
        try
        {
            // A store that fails leaves nothing cached: an entry must never point at images that are not there.
            if (await writeBehind.SaveAsync(result, contents))
            {
                Cache(result);
            }
        }
        finally
        {
            if (ReferenceEquals(_inFlight, flight))
            {
                _inFlight = null;
            }
        }
    }

    private void Cache(GenerationResult result)
    {
        state.State = new PromptCacheState { Result = result, ExpiresAt = time.GetUtcNow() + options.Value.Ttl };

        // Stored behind the answer, never in front of it: the waiters have their images now.
        _ = PersistAsync();
    }

    private async Task PersistAsync()
    {
        try
        {
            await state.WriteStateAsync();
            var key = this.GetPrimaryKeyString();
            await GrainFactory.GetGrain<IExpiryBucketGrain>(ExpiryBuckets.For(ExpiringKind.PromptCache, key, state.State.ExpiresAt)).AddAsync(key);
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

        /// <summary>Storing the images of an answer given from their bytes; null when they were stored before it.</summary>
        public Task? Stored { get; set; }

        public int Waiters { get; set; }
    }
}
