using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Silo.Auth;

/// <summary>Who a request comes from, once its key checked out, and what the key is entitled to.</summary>
public sealed record ClientIdentity(string KeyId, string Name, string Tenant)
{
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    public RequestPriority MaxPriority { get; init; } = RequestPriority.Normal;

    public double Weight { get; init; } = 1.0;

    public TimeSpan? MaxWait { get; init; }
}
