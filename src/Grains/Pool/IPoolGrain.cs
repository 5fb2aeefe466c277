namespace ImageOrleans.Grains.Pool;

/// <summary>
/// The live list of upstream accounts (key 0). Configuration seeds it; the admin API changes it;
/// every change is pushed to the account's grain at once.
/// </summary>
public interface IPoolGrain : IGrainWithIntegerKey
{
    // Reads interleave with writes: a write pushes the new definition to an account grain, whose
    // activation reads its definition from here.
    [AlwaysInterleave]
    ValueTask<PoolSnapshot> GetSnapshotAsync();

    [AlwaysInterleave]
    ValueTask<UpstreamAccount?> GetAccountAsync(string accountId);

    /// <summary>
    /// Adds configured accounts that are new, applies configuration that changed since the last seed,
    /// and removes accounts that came from configuration and left it. Edits made through the admin
    /// API to an account whose configuration did not change are kept.
    /// </summary>
    ValueTask<PoolSnapshot> SeedAsync(IReadOnlyList<UpstreamAccount> accounts);

    ValueTask<UpstreamAccount> UpsertAsync(UpstreamAccount account);

    ValueTask<bool> RemoveAsync(string accountId);
}
