using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>One log event per upstream fault class (event ids 2010–2016), and the retry budget's refusals.</summary>
internal static partial class FaultLog
{
    /// <summary>Logs a faulted attempt under its class's own event.</summary>
    public static void Fault(ILogger logger, string requestId, string accountId, UpstreamFault fault, OutcomeKind outcome, int faults)
    {
        switch (fault)
        {
            case UpstreamFault.ServerError:
                ServerError(logger, requestId, accountId, faults);
                break;
            case UpstreamFault.Hang:
                Hang(logger, requestId, accountId, faults);
                break;
            case UpstreamFault.Reset:
                Reset(logger, requestId, accountId, faults);
                break;
            case UpstreamFault.Truncated:
                Truncated(logger, requestId, accountId, faults);
                break;
            case UpstreamFault.Malformed:
                Malformed(logger, requestId, accountId, faults);
                break;
            case UpstreamFault.SlowBody:
                SlowBody(logger, requestId, accountId, faults);
                break;
            default:
                Other(logger, requestId, accountId, outcome, faults);
                break;
        }
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Request {RequestId}: account {AccountId} answered 5xx (fault {Faults} of this request); trying another account")]
    private static partial void ServerError(ILogger logger, string requestId, string accountId, int faults);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Request {RequestId}: account {AccountId} did not answer within its timeout (fault {Faults} of this request); trying another account")]
    private static partial void Hang(ILogger logger, string requestId, string accountId, int faults);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Request {RequestId}: the connection to account {AccountId} failed or was reset (fault {Faults} of this request); trying another account")]
    private static partial void Reset(ILogger logger, string requestId, string accountId, int faults);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Request {RequestId}: account {AccountId} answered, but the body was cut short (fault {Faults} of this request); trying another account")]
    private static partial void Truncated(ILogger logger, string requestId, string accountId, int faults);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Request {RequestId}: account {AccountId} answered 200 with a body that is not an image response (fault {Faults} of this request); trying another account")]
    private static partial void Malformed(ILogger logger, string requestId, string accountId, int faults);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Request {RequestId}: the body from account {AccountId} did not arrive within its timeout (fault {Faults} of this request); trying another account")]
    private static partial void SlowBody(ILogger logger, string requestId, string accountId, int faults);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Request {RequestId}: account {AccountId} failed with {Outcome} (fault {Faults} of this request); trying another account")]
    private static partial void Other(ILogger logger, string requestId, string accountId, OutcomeKind outcome, int faults);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Warning, Message = "Request {RequestId}: the retry budget is spent after account {AccountId} failed ({Calls} call(s)); failing fast with pool_unavailable")]
    public static partial void RetryBudgetSpent(ILogger logger, string requestId, string accountId, int calls);
}
