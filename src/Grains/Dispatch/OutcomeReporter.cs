using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Calls;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Books the outcomes of successful calls with their accounts behind the answers: at most one call per
/// account in flight from this silo, and the outcomes that end meanwhile go together in the next one
/// (<see cref="CoalescedCalls{T}"/>). An idle account hears of each outcome at once, as before; a busy one
/// in one call per round trip rather than one per request. (Failures are reported by the dispatcher itself,
/// awaited, before the request's next attempt.)
/// </summary>
public sealed partial class OutcomeReporter
{
    private readonly CoalescedCalls<OutcomeReport> _calls;

    public OutcomeReporter(GrainReferences grains, LeaseBroker broker, ILogger<OutcomeReporter> logger)
    {
        _calls = new CoalescedCalls<OutcomeReport>(
            async (accountId, reports) =>
            {
                var account = grains.Account(accountId);
                broker.Observe(reports.Count == 1 ? await account.ReportOutcomeAsync(reports[0]) : await account.ReportOutcomesAsync(reports));
            },
            (accountId, count, ex) => LogReportFailed(logger, ex, accountId, count));
    }

    /// <summary>Queues <paramref name="report"/> for <paramref name="accountId"/>; never throws.</summary>
    public void Report(string accountId, OutcomeReport report) => _calls.Add(accountId, report);

    // The leases expire on their own; only the cached view misses an update.
    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Reporting {Count} outcome(s) to account {AccountId} failed; their leases will expire on their own")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string accountId, int count);
}
