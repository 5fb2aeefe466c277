using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Queueing;

/// <summary>The end of waiting for capacity: a lease on an account, or the error the request ends with.</summary>
public sealed record Acquisition(Lease? Lease, UpstreamAccount? Account, GatewayError? Error, TimeSpan Waited)
{
    public static Acquisition Granted(Lease lease, UpstreamAccount account, TimeSpan waited) => new(lease, account, null, waited);

    public static Acquisition Failed(GatewayError error, TimeSpan waited) => new(null, null, error, waited);
}
