namespace ImageOrleans.Grains.ClientKeys;

/// <summary>A quality a request could run at and the most it could cost there.</summary>
[GenerateSerializer, Immutable, Alias("io.CostOption")]
public sealed record CostOption([property: Id(0)] string? Quality, [property: Id(1)] decimal WorstCaseUsd);
