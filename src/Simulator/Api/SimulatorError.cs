using ImageOrleans.Simulator.Engine;

namespace ImageOrleans.Simulator.Api;

/// <summary>
/// A refusal on its way out of the HTTP layer: the OpenAI error fields, the status, the counter it
/// increments (none for control-plane calls) and, for rate limits, the wait to advertise.
/// </summary>
internal sealed record SimulatorError(
    int StatusCode,
    string Message,
    string Type,
    string? Param,
    string? Code,
    SimulatorCounter? Counter,
    TimeSpan? RetryAfter = null);
