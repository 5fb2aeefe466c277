using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Requests;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.ClientKeys;

/// <summary>
/// Settles a request with its client key where its fate is decided, inside the grains: the job that
/// started an upstream generation is charged where that generation completes (whether or not a client
/// still listens), a request answered from another one's generation is released for free. The front
/// door only admits; it never settles what the grains may still be generating.
/// </summary>
public sealed partial class SettlementBook(GrainReferences grains, TimeProvider time, ILogger<SettlementBook> logger)
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    /// <summary>Books how <paramref name="job"/> ended; retried a few times, never thrown.</summary>
    public async Task SettleAsync(GenerationJob job, GenerationReply reply, SettlementRole role)
    {
        using var span = Telemetry.GatewayTelemetry.StartSettlement(job, reply);
        if (job.ClientKeyId.Length == 0)
        {
            return;
        }

        var settlement = Describe(job.Request, job.ReservationId ?? Guid.Empty, reply, role);
        var key = grains.Key(job.ClientKeyId);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                // The same settlement id on every try: a try whose answer was lost is not booked twice.
                await key.SettleAsync(settlement);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && attempt < RetryDelays.Length)
            {
                LogRetry(logger, ex, job.ClientKeyId, job.RequestId, attempt + 1);
                await Task.Delay(RetryDelays[attempt], time);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogLost(logger, ex, job.ClientKeyId, job.RequestId, settlement.CostUsd);
                return;
            }
        }
    }

    /// <summary>
    /// What <paramref name="reply"/> books for a request: the originator of a generation pays its price, a
    /// request answered from another one's generation (the cache, a coalesced twin) saves it.
    /// </summary>
    public static Settlement Describe(ImageRequest request, Guid reservationId, GenerationReply reply, SettlementRole role)
    {
        var price = reply.Result?.CostUsd ?? 0m;
        var paid = role == SettlementRole.Originator && reply.Result is not null;
        return new Settlement
        {
            Id = Guid.NewGuid(),
            ReservationId = reservationId,
            Model = request.Model,
            Quality = request.Quality,
            Images = request.N,
            GeneratedImages = paid ? reply.Result!.Images.Count : 0,
            CostUsd = paid ? Math.Max(0m, price) : 0m,
            SavedUsd = reply.Result is not null && !paid ? Math.Max(0m, price) : 0m,
            Succeeded = reply.Result is not null,
            Cache = reply.Cache,
        };
    }

    [LoggerMessage(EventId = 2510, Level = LogLevel.Information, Message = "Settling request {RequestId} with client key {KeyId} failed (try {Attempt}); trying again")]
    private static partial void LogRetry(ILogger logger, Exception exception, string keyId, string requestId, int attempt);

    [LoggerMessage(EventId = 2511, Level = LogLevel.Error,
        Message = "Could not settle request {RequestId} with client key {KeyId}: {CostUsd} USD not booked; its reservation lapses on its own")]
    private static partial void LogLost(ILogger logger, Exception exception, string keyId, string requestId, decimal costUsd);
}
