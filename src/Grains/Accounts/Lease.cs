namespace ImageOrleans.Grains.Accounts;

/// <summary>The right to make one upstream call on an account; ends with an outcome report or at expiry.</summary>
[GenerateSerializer, Immutable, Alias("io.Lease")]
public sealed record Lease
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string AccountId { get; init; }
    [Id(2)] public int Images { get; init; }
    [Id(3)] public DateTimeOffset ExpiresAt { get; init; }
    [Id(4)] public bool IsProbe { get; init; }
    [Id(5)] public DateTimeOffset GrantedAt { get; init; }

    /// <summary>Which pace of the account the lease was granted under; 429s from older paces teach nothing.</summary>
    [Id(6)] public long PaceVersion { get; init; }
}
