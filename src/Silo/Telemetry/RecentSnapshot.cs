namespace ImageOrleans.Silo.Telemetry;

/// <summary>The recent window of one silo's generation requests.</summary>
public sealed record RecentSnapshot(
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> Cache,
    IReadOnlyDictionary<string, WaitSummary> Waits);
