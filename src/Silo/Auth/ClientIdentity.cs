using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Silo.Auth;

/// <summary>Who a request comes from, once its key checked out, and what the key is entitled to.</summary>
public sealed record ClientIdentity(string KeyId, string Name, string Tenant)
{
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    public RequestPriority MaxPriority { get; init; } = RequestPriority.Normal;

    public double Weight { get; init; } = 1.0;

    public TimeSpan? MaxWait { get; init; }

    public CachePolicy Cache { get; init; } = CachePolicy.On;

    /// <summary>Cache scope of the key: its tenant, or the pool of keys that opted into sharing.</summary>
    public string CacheScope => Cache == CachePolicy.Shared ? "\u0001shared" : Tenant;

    public static ClientIdentity Of(ClientKeyView key) => new(key.Id, key.Settings.Name, key.Tenant)
    {
        Priority = key.Settings.Priority,
        MaxPriority = key.Settings.EffectiveMaxPriority,
        Weight = key.Settings.Weight,
        MaxWait = key.Settings.MaxWait,
        Cache = key.Settings.Cache,
    };
}
