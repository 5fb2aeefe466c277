namespace ImageOrleans.Grains.Dispatch;

/// <summary>The canary splits in force, per model.</summary>
[GenerateSerializer, Alias("io.CanaryState")]
public sealed class CanaryState
{
    [Id(0)] public Dictionary<string, CanarySplit> Splits { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
