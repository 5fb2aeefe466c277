using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.ClientKeys;

/// <summary>How an admitted request ended: what it cost (replacing its reservation) and what the cache saved.</summary>
[GenerateSerializer, Immutable, Alias("io.Settlement")]
public sealed record Settlement
{
    [Id(0)] public required Guid ReservationId { get; init; }
    [Id(1)] public required string Model { get; init; }
    [Id(2)] public string? Quality { get; init; }
    [Id(3)] public int Images { get; init; }
    [Id(4)] public decimal CostUsd { get; init; }
    [Id(5)] public decimal SavedUsd { get; init; }
    [Id(6)] public bool Succeeded { get; init; }
    [Id(7)] public CacheStatus Cache { get; init; }

    /// <summary>Names this settlement, so a resend whose first answer was lost is not booked twice.</summary>
    [Id(8)] public Guid Id { get; init; }

    /// <summary>Images the upstream produced for this request (0 for a cache hit, a replay or an error).</summary>
    [Id(9)] public int GeneratedImages { get; init; }
}
