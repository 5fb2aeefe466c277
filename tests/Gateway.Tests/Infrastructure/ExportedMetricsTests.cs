namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// Tests that read a gateway's exported metrics run on their own, after the others: meters and listeners
/// are process-wide, and while other test gateways live, an exporter also sees their same-named
/// instruments and may keep theirs rather than its own gateway's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExportedMetricsTests
{
    public const string Name = "exported metrics";
}
