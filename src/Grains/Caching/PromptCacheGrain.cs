using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using Orleans.Placement;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Caching;

/// <inheritdoc cref="IPromptCacheGrain"/>
/// <remarks>
/// Placed on the silo whose front door asked first: the common path (one request, no twin in flight)
/// then costs no network hop, while an identical request arriving elsewhere still finds this one.
/// </remarks>
[Reentrant]
[PreferLocalPlacement]
public sealed class PromptCacheGrain(IOptions<CacheOptions> options, TimeProvider time) : Grain, IPromptCacheGrain
{
    private GenerationResult? _cached;
    private DateTimeOffset _expiresAt;
    private InFlight? _inFlight;

    public async Task<GenerationReply> GetOrGenerateAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        if (_cached is not null && time.GetUtcNow() < _expiresAt)
        {
            return new GenerationReply { Result = _cached, Cache = CacheStatus.Hit };
        }

        if (_inFlight is { Completion.IsCompleted: true })
        {
            _inFlight = null;
        }

        var coalesced = _inFlight is not null;
        var flight = _inFlight ??= Start(job);
        flight.Waiters++;
        try
        {
            var reply = await flight.Completion.WaitAsync(cancellationToken);
            return coalesced ? reply with { Cache = CacheStatus.Coalesced } : reply;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return GenerationReply.Failure(GatewayErrors.Cancelled());
        }
        finally
        {
            // The shared upstream call is only worth finishing while somebody still waits for it.
            if (--flight.Waiters == 0 && !flight.Completion.IsCompleted)
            {
                await flight.Cancellation.CancelAsync();
            }
        }
    }

    public ValueTask<int> GetWaitingAsync() => ValueTask.FromResult(_inFlight is { Completion.IsCompleted: false } flight ? flight.Waiters : 0);

    public ValueTask InvalidateAsync()
    {
        _cached = null;
        return ValueTask.CompletedTask;
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
                _cached = result;
                _expiresAt = time.GetUtcNow() + options.Value.Ttl;
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

    private sealed class InFlight
    {
        public CancellationTokenSource Cancellation { get; } = new();

        public Task<GenerationReply> Completion { get; set; } = null!;

        public int Waiters { get; set; }
    }
}
