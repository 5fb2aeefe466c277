namespace ImageOrleans.Grains.Accounts;

/// <summary>Why an account refused a lease.</summary>
[GenerateSerializer]
public enum DenyReason
{
    None,

    // Temporary: capacity comes back by itself.
    RateLimited,
    Concurrency,
    CoolingDown,
    BreakerOpen,

    /// <summary>Capacity is there, but held for a moment for a silo that has waited longer.</summary>
    ReservedForAnotherSilo,

    // Lasting for this request: try another account.
    Disabled,
    Draining,
    Removed,
    Unauthorized,
    ModelExcluded,
    ModelNotServed,
    TooLarge,
}
