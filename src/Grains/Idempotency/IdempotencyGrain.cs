using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Idempotency;

/// <inheritdoc cref="IIdempotencyGrain"/>
[Reentrant]
public sealed class IdempotencyGrain(
    [PersistentState("key", GrainStorageNames.Idempotency)] IPersistentState<IdempotencyState> state,
    IOptions<IdempotencyOptions> options,
    TimeProvider time) : Grain, IIdempotencyGrain
{
    private Task<GenerationReply>? _running;
    private string? _runningFingerprint;

    public async Task<IdempotentReply> RunAsync(string fingerprint, GenerationJob job, bool bypassCache, CancellationToken cancellationToken)
    {
        if (state.State.Reply is { } stored && time.GetUtcNow() - state.State.CompletedAt < options.Value.Retention)
        {
            return state.State.Fingerprint == fingerprint
                ? new IdempotentReply { Reply = stored, Replayed = true }
                : new IdempotentReply { Reply = GenerationReply.Failure(Reused()) };
        }

        if (_running is not null && _runningFingerprint != fingerprint)
        {
            return new IdempotentReply { Reply = GenerationReply.Failure(Reused()) };
        }

        var joined = _running is not null;
        if (_running is null)
        {
            _runningFingerprint = fingerprint;
            // Not tied to this caller: a client that drops and retries with the key must find the
            // first attempt finished, not cancelled.
            _running = RunOnceAsync(fingerprint, job, bypassCache);
        }

        var reply = await _running.WaitAsync(cancellationToken);
        return new IdempotentReply { Reply = reply, Replayed = joined && reply.Result is not null };
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

    private static GatewayError Reused() => new()
    {
        Status = 409,
        Type = GatewayErrors.InvalidRequestType,
        Message = "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
        Param = "Idempotency-Key",
        Code = "idempotency_key_reused",
    };
}
