using System.Collections.Concurrent;
using ImageOrleans.Grains.ClientKeys;

namespace ImageOrleans.Silo.Auth;

/// <summary>
/// This silo's view of the client keys: the registry's hash → key map and each key's settings,
/// neither older than a second, so a revocation or an edit holds cluster-wide within a second. A
/// presented key is hashed and looked up by its hash: what a lookup's timing could reveal is about
/// the SHA-256 of the guess, which tells nothing about any real key.
/// </summary>
public sealed class ClientKeyDirectory(IGrainFactory grains, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    // A key this silo does not know yet may be one just created elsewhere: look again, at most this often.
    private static readonly TimeSpan MissRecheck = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ConcurrentDictionary<string, (ClientKeyView? View, DateTimeOffset At)> _keys = new(StringComparer.Ordinal);
    private ClientKeyRegistrySnapshot _snapshot = ClientKeyRegistrySnapshot.Empty;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async ValueTask<ClientIdentity?> AuthenticateAsync(string presentedKey)
    {
        var hash = ClientKeyHasher.HashHex(presentedKey);
        var snapshot = await SnapshotAsync(MaxAge);
        if (!snapshot.ByHash.ContainsKey(hash))
        {
            snapshot = await SnapshotAsync(MissRecheck);
        }

        if (!snapshot.ByHash.TryGetValue(hash, out var entry) || entry.ValidUntil < time.GetUtcNow())
        {
            return null;
        }

        var view = await GetAsync(entry.KeyId);
        return view is { Revoked: false } ? ClientIdentity.Of(view) : null;
    }

    /// <summary>A key's settings and state, at most a second old.</summary>
    public async ValueTask<ClientKeyView?> GetAsync(string keyId)
    {
        var now = time.GetUtcNow();
        if (_keys.TryGetValue(keyId, out var cached) && now - cached.At < MaxAge)
        {
            return cached.View;
        }

        var view = await grains.GetGrain<IClientKeyGrain>(keyId).GetAsync();
        _keys[keyId] = (view, now);
        return view;
    }

    /// <summary>Forgets what this silo knows of a key (after a change made here), so the next request reads it afresh.</summary>
    public void Forget(string keyId)
    {
        _keys.TryRemove(keyId, out _);
        _fetchedAt = DateTimeOffset.MinValue;
    }

    private async ValueTask<ClientKeyRegistrySnapshot> SnapshotAsync(TimeSpan maxAge)
    {
        if (time.GetUtcNow() - _fetchedAt < maxAge)
        {
            return _snapshot;
        }

        await _refresh.WaitAsync();
        try
        {
            if (time.GetUtcNow() - _fetchedAt >= maxAge)
            {
                var newer = await grains.GetGrain<IClientKeyRegistryGrain>(0).GetIfNewerAsync(_snapshot.Version);
                _snapshot = newer ?? _snapshot;
                _fetchedAt = time.GetUtcNow();
            }
        }
        finally
        {
            _refresh.Release();
        }

        return _snapshot;
    }

    public void Dispose() => _refresh.Dispose();
}
