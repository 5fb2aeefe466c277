using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Grains.ClientKeys;

/// <summary>A key's answer to an admission request: a reservation (maybe at a cheaper quality), or why not.</summary>
[GenerateSerializer, Immutable, Alias("io.Admission")]
public sealed record Admission
{
    [Id(0)] public Guid? ReservationId { get; init; }
    [Id(1)] public GatewayError? Error { get; init; }

    /// <summary>The quality the request runs at when the budget policy lowered it.</summary>
    [Id(2)] public string? DowngradedTo { get; init; }

    [Id(3)] public RateLimitInfo Quota { get; init; } = RateLimitInfo.None;

    public bool Admitted => ReservationId is not null;
}
