using ImageOrleans.Grains.Accounts;
namespace ImageOrleans.Grains.ClientKeys;

/// <summary>
/// One client key (keyed by its id): settings, quota buckets, concurrency, budget with reservations,
/// spend, usage and alerts. The key itself is never stored, only its SHA-256.
/// </summary>
public interface IClientKeyGrain : IGrainWithStringKey
{
    [ReadOnly]
    ValueTask<ClientKeyView?> GetAsync();

    /// <summary>Creates the key; fails with <see cref="InvalidOperationException"/> if it exists.</summary>
    ValueTask<ClientKeyView> CreateAsync(ClientKeySettings settings, string hash, string hint);

    /// <summary>Creates or, when the configuration seed changed since last time, updates a key from configuration.</summary>
    ValueTask<ClientKeyView> SeedAsync(ClientKeySettings settings, string hash, string hint, string fingerprint);

    ValueTask<ClientKeyView?> UpdateAsync(ClientKeySettings settings);

    /// <summary>Replaces the key; the old one keeps working for <paramref name="grace"/>.</summary>
    ValueTask<ClientKeyView?> RotateAsync(string newHash, string hint, TimeSpan grace);

    ValueTask<ClientKeyView?> RevokeAsync();

    ValueTask<Admission> AdmitAsync(AdmissionRequest request);

    /// <summary>
    /// Admits a request that an answer at hand already serves (a cached one) and books it with
    /// <paramref name="settlement"/> in the same turn: one call where admitting and settling took two.
    /// An admission that downgrades the request is returned unsettled, since the answer at hand is
    /// for the quality asked; the caller then runs the downgraded request as any other. The same
    /// <paramref name="settlement"/> sent again (a retry whose answer was lost) is admitted without
    /// taking or booking anything twice.
    /// </summary>
    ValueTask<Admission> AdmitServedAsync(AdmissionRequest request, Settlement settlement);

    /// <summary>The key's own rate limits right now, for responses that take no quota.</summary>
    [ReadOnly]
    ValueTask<RateLimitInfo> GetQuotaAsync();

    /// <summary>Replaces a reservation with what the request cost; a settlement id already booked is ignored.</summary>
    ValueTask SettleAsync(Settlement settlement);

    /// <summary>Frees a reservation without booking anything (a request admitted but never run).</summary>
    ValueTask ReleaseAsync(Guid reservationId);

    /// <summary>Writes buffered usage to the ledger now (before a report is read).</summary>
    ValueTask FlushUsageAsync();
}
