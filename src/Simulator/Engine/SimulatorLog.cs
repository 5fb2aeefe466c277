using Microsoft.Extensions.Logging;

namespace ImageOrleans.Simulator.Engine;

/// <summary>The simulator's log events; keys only ever appear masked.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Image simulator listening on {Address} with {KeyCount} keys")]
    public static partial void Started(ILogger logger, Uri address, int keyCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Simulated key {Key} set: {RequestsPerMinute} requests/min, {ImagesPerMinute} images/min enforced")]
    public static partial void KeyUpserted(ILogger logger, string key, int requestsPerMinute, int imagesPerMinute);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Simulated faults set: server error {ServerErrorRate}, timeout {TimeoutRate}, reset {ResetRate}, malformed {MalformedRate}, truncated {TruncatedRate}, slow body {SlowBodyRate}")]
    public static partial void FaultsChanged(ILogger logger, double serverErrorRate, double timeoutRate, double resetRate, double malformedRate, double truncatedRate, double slowBodyRate);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Simulator counters reset and buckets refilled")]
    public static partial void SimulatorReset(ILogger logger);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Refused request for key {Key}: {StatusCode} {ErrorCode}")]
    public static partial void Refused(ILogger logger, string key, int statusCode, string? errorCode);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Injected {Fault} fault for key {Key}")]
    public static partial void FaultInjected(ILogger logger, FaultKind fault, string key);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Client of key {Key} went away before the response")]
    public static partial void ClientAborted(ILogger logger, string key);
}
