namespace ImageOrleans.Grains.Accounts;

/// <summary>An account's answer to a lease request: a lease, or why not and until when.</summary>
[GenerateSerializer, Immutable, Alias("io.LeaseDecision")]
public sealed record LeaseDecision
{
    [Id(0)] public Lease? Lease { get; init; }
    [Id(1)] public DenyReason Reason { get; init; }

    /// <summary>For a temporary refusal: the earliest time a retry can succeed, when the account knows it.</summary>
    [Id(2)] public DateTimeOffset? RetryAt { get; init; }

    [Id(3)] public required AccountLoad Load { get; init; }

    public bool Granted => Lease is not null;
}
