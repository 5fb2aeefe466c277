namespace ImageOrleans.Grains.Accounts;

/// <summary>Asks an account for the right to make one upstream call for <see cref="Images"/> images.</summary>
[GenerateSerializer, Immutable, Alias("io.LeaseRequest")]
public sealed record LeaseRequest
{
    [Id(0)] public required string Model { get; init; }
    [Id(1)] public int Images { get; init; } = 1;
    [Id(2)] public string? RequestId { get; init; }

    /// <summary>Told when capacity frees up after this request was refused for lack of it.</summary>
    [Id(3)] public ICapacityObserver? Observer { get; init; }

    /// <summary>A <c>low</c> request leaves <see cref="Eligibility.LowPriorityHeadroom"/> in the buckets for live traffic.</summary>
    [Id(4)] public Dispatch.RequestPriority Priority { get; init; } = Dispatch.RequestPriority.Normal;
}
