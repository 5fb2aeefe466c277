using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Maintenance;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Idempotency;

/// <inheritdoc cref="IIdempotencyGrain"/>
[Reentrant]
public sealed class IdempotencyGrain(
    [PersistentState("key", GrainStorageNames.Idempotency)] IPersistentState<IdempotencyState> state,
    IOptions<IdempotencyOptions> options,
    SettlementBook settlements,
    ExpiryNotes expiries,
    TimeProvider time) : Grain, IIdempotencyGrain
{
    private Task<GenerationReply>? _running;
    private string? _runningFingerprint;

    public async Task<IdempotentReply> RunAsync(string fingerprint, GenerationJob job, bool bypassCache, CancellationToken cancellationToken)
    {
        if (state.State.Reply is { } stored && time.GetUtcNow() - state.State.CompletedAt < options.Value.Retention)
        {
            return state.State.Fingerprint == fingerprint
                ? await AnswerAsync(job, stored with { Cache = CacheStatus.Hit }, replayed: true)
                : await AnswerAsync(job, GenerationReply.Failure(Reused()), replayed: false);
        }

        if (_running is not null && _runningFingerprint != fingerprint)
        {
            return await AnswerAsync(job, GenerationReply.Failure(Reused()), replayed: false);
        }

        if (_running is null)
        {
            _runningFingerprint = fingerprint;

            // Not tied to this caller: a client that drops and retries with the key must find the
            // first attempt finished, not cancelled. Its job is settled downstream, where the
            // generation completes, whether or not this caller still waits.
            _running = RunOnceAsync(fingerprint, job, bypassCache);
            try
            {
                return new IdempotentReply { Reply = await _running.WaitAsync(cancellationToken) };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new IdempotentReply { Reply = GenerationReply.Failure(GatewayErrors.Cancelled()) };
            }
        }

        // A retry while the first attempt runs waits for it and, like a replay, pays nothing.
        GenerationReply reply;
        try
        {
            reply = await _running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reply = GenerationReply.Failure(GatewayErrors.Cancelled());
        }

        return await AnswerAsync(job, reply.Result is null ? reply : reply with { Cache = CacheStatus.Hit }, replayed: reply.Result is not null);
    }

    /// <summary>An answer this job did not generate: settled here, for free.</summary>
    private async Task<IdempotentReply> AnswerAsync(GenerationJob job, GenerationReply reply, bool replayed)
    {
        await settlements.SettleAsync(job, reply, SettlementRole.Beneficiary);
        return new IdempotentReply { Reply = reply, Replayed = replayed };
    }

    private async Task<GenerationReply> RunOnceAsync(string fingerprint, GenerationJob job, bool bypassCache)
    {
        try
        {
            var reply = bypassCache
                ? await GrainFactory.GetGrain<IDispatcherGrain>(0).GenerateAsync(job, CancellationToken.None) with { Cache = CacheStatus.Bypass }
                : await GrainFactory.GetGrain<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)).GetOrGenerateAsync(job, CancellationToken.None);

            // Only a completed answer is kept: a failed attempt may be tried again with the same key.
            // It is stored before it is returned, so a retry after a crash can never run it twice.
            if (reply.Result is not null)
            {
                state.State = new IdempotencyState { Fingerprint = fingerprint, Reply = reply, CompletedAt = time.GetUtcNow() };

                // Noted before the write and not waited for: a note for a row never written is dropped by the sweep.
                expiries.Add(ExpiringKind.Idempotency, this.GetPrimaryKeyString(), state.State.CompletedAt + options.Value.Retention);
                await state.WriteStateAsync(CancellationToken.None);
            }

            return reply;
        }
        finally
        {
            _running = null;
            _runningFingerprint = null;
        }
    }

    public async Task ForgetAsync(IReadOnlyList<string> images)
    {
        if (_running is null && state.State.Reply?.Result is { } stored && stored.Images.Select(i => i.ImageId).SequenceEqual(images))
        {
            state.State = new IdempotencyState();
            await state.ClearStateAsync();
        }
    }

    public async Task<bool> ExpireAsync()
    {
        if (!state.RecordExists || _running is not null || time.GetUtcNow() - state.State.CompletedAt < options.Value.Retention)
        {
            return false;
        }

        state.State = new IdempotencyState();
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    private static GatewayError Reused() => new()
    {
        Status = 409,
        Type = GatewayErrors.InvalidRequestType,
        Message = "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
        Param = "Idempotency-Key",
        Code = "idempotency_key_reused",
    };
}
