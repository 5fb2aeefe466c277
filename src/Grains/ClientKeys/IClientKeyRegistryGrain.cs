namespace ImageOrleans.Grains.ClientKeys;

/// <summary>The cluster's map from key hash to key id (key 0); silos keep a copy no older than a second.</summary>
public interface IClientKeyRegistryGrain : IGrainWithIntegerKey
{
    [AlwaysInterleave]
    ValueTask<ClientKeyRegistrySnapshot> GetSnapshotAsync();

    /// <summary>The snapshot, or null when the caller's version is still current.</summary>
    [AlwaysInterleave]
    ValueTask<ClientKeyRegistrySnapshot?> GetIfNewerAsync(long version);

    [AlwaysInterleave]
    ValueTask<IReadOnlyList<string>> GetKeyIdsAsync();

    /// <summary>Points <paramref name="hash"/> at <paramref name="keyId"/> (until <paramref name="validUntil"/>, if given).</summary>
    ValueTask SetAsync(string keyId, string hash, DateTimeOffset? validUntil);

    /// <summary>Forgets every hash of <paramref name="keyId"/> except <paramref name="keep"/>.</summary>
    ValueTask RemoveHashesAsync(string keyId, string? keep);
}
