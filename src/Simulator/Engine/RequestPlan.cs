namespace ImageOrleans.Simulator.Engine;

/// <summary>What the random source decided for one admitted request.</summary>
internal readonly record struct RequestPlan(FaultKind Fault, TimeSpan Latency);
