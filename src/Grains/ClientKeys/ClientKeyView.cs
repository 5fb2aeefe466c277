namespace ImageOrleans.Grains.ClientKeys;

/// <summary>A client key without its secret: settings, masked hint, state and spend.</summary>
[GenerateSerializer, Immutable, Alias("io.ClientKeyView")]
public sealed record ClientKeyView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required ClientKeySettings Settings { get; init; }
    [Id(2)] public string? Hint { get; init; }
    [Id(3)] public bool Revoked { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset? RevokedAt { get; init; }
    [Id(6)] public DateTimeOffset? PreviousKeyValidUntil { get; init; }
    [Id(7)] public decimal DaySpentUsd { get; init; }
    [Id(8)] public decimal MonthSpentUsd { get; init; }
    [Id(9)] public decimal ReservedUsd { get; init; }
    [Id(10)] public decimal SavedUsd { get; init; }
    [Id(11)] public int InFlight { get; init; }

    public string Tenant => Settings.Tenant ?? Id;
}
