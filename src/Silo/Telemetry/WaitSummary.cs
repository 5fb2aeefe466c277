namespace ImageOrleans.Silo.Telemetry;

/// <summary>Queue waits of one priority in the recent window: how many, mean and longest (ms).</summary>
public sealed record WaitSummary(long Requests, double MeanMs, double MaxMs);
