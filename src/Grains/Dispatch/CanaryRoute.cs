namespace ImageOrleans.Grains.Dispatch;

/// <summary>Which side of a canary split one request was given: the canary group's accounts, or the others.</summary>
[GenerateSerializer, Immutable, Alias("io.CanaryRoute")]
public sealed record CanaryRoute
{
    [Id(0)] public required string Group { get; init; }

    /// <summary>True: the accounts of <see cref="Group"/> first; false: every other account first.</summary>
    [Id(1)] public bool ToCanary { get; init; }
}
