namespace ImageOrleans.Simulator;

/// <summary>An immutable copy of <see cref="SimulatorStats"/>: the totals and the counters of each configured key.</summary>
public sealed record SimulatorStatsSnapshot(CountersSnapshot Total, IReadOnlyDictionary<string, CountersSnapshot> Keys);
