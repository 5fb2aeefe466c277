using ImageOrleans.Grains.Accounts;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Books the outcomes of successful calls with their accounts behind the answers: at most one call per
/// account in flight from this silo, and the outcomes that end meanwhile go together in the next one. An
/// idle account hears of each outcome at once, as before; a busy one in one call per round trip rather
/// than one per request. (Failures are reported by the dispatcher itself, awaited, before the request's
/// next attempt.)
/// </summary>
public sealed partial class OutcomeReporter(GrainReferences grains, LeaseBroker broker, ILogger<OutcomeReporter> logger)
{
    // The most outcomes one call carries; more wait for the next.
    private const int MaxBatch = 256;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="report"/> for <paramref name="accountId"/>; never throws.</summary>
    public void Report(string accountId, OutcomeReport report)
    {
        var lane = _lanes.GetOrAdd(accountId, id => new Lane(id));
        lock (lane)
        {
            lane.Queued.Add(report);
            if (lane.Sending)
            {
                return;
            }

            lane.Sending = true;
        }

        _ = SendAsync(lane);
    }

    private async Task SendAsync(Lane lane)
    {
        while (true)
        {
            List<OutcomeReport> batch;
            lock (lane)
            {
                if (lane.Queued.Count == 0)
                {
                    lane.Sending = false;
                    return;
                }

                batch = lane.Queued.Count <= MaxBatch ? lane.Queued : lane.Queued[..MaxBatch];
                lane.Queued = lane.Queued.Count <= MaxBatch ? [] : lane.Queued[MaxBatch..];
            }

            try
            {
                var account = grains.Account(lane.AccountId);
                broker.Observe(batch.Count == 1
                    ? await account.ReportOutcomeAsync(batch[0])
                    : await account.ReportOutcomesAsync(batch));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The leases expire on their own; only the cached view misses an update.
                LogReportFailed(logger, ex, lane.AccountId, batch.Count);
            }
        }
    }

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Reporting {Count} outcome(s) to account {AccountId} failed; their leases will expire on their own")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string accountId, int count);

    private sealed class Lane(string accountId)
    {
        public string AccountId { get; } = accountId;

        public List<OutcomeReport> Queued { get; set; } = [];

        public bool Sending { get; set; }
    }
}
