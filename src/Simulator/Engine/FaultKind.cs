namespace ImageOrleans.Simulator.Engine;

/// <summary>The fault, if any, injected into one admitted request.</summary>
internal enum FaultKind
{
    None,
    ServerError,
    Timeout,
    Reset,
    Malformed,
    Truncated,
    SlowBody,
}
