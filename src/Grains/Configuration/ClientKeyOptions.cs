using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Configuration;

/// <summary>A client key in configuration (<c>ImageOrleans:ClientKeys:{id}</c>); the admin API manages the rest.</summary>
public sealed class ClientKeyOptions
{
    /// <summary>The key itself. Hashed on load and never kept in clear; prefer <see cref="KeyHash"/> in files.</summary>
    public string? Key { get; set; }

    /// <summary>SHA-256 of the key as lowercase hex, for configuration that must not hold the key.</summary>
    public string? KeyHash { get; set; }

    public string? Name { get; set; }

    /// <summary>Cache scope: keys of one tenant share cached images, tenants never do. Defaults to the key id.</summary>
    public string? Tenant { get; set; }

    /// <summary>Priority class of this key's requests (its tier).</summary>
    public RequestPriority Priority { get; set; } = RequestPriority.Normal;

    /// <summary>Highest priority the key may ask for with the priority header; defaults to its own tier.</summary>
    public RequestPriority? MaxPriority { get; set; }

    /// <summary>Share of capacity against other keys of the same priority when the pool is full.</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>Longest this key's requests wait for pool capacity; the gateway's limit when unset.</summary>
    public TimeSpan? MaxWait { get; set; }
}
