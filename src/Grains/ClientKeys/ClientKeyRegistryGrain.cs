using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.ClientKeys;

/// <inheritdoc cref="IClientKeyRegistryGrain"/>
public sealed class ClientKeyRegistryGrain(
    [PersistentState("registry", GrainStorageNames.ClientKeys)] IPersistentState<ClientKeyRegistryState> state,
    TimeProvider time) : Grain, IClientKeyRegistryGrain
{
    private ClientKeyRegistrySnapshot? _snapshot;

    public ValueTask<ClientKeyRegistrySnapshot> GetSnapshotAsync() => ValueTask.FromResult(Snapshot());

    public ValueTask<ClientKeyRegistrySnapshot?> GetIfNewerAsync(long version) =>
        ValueTask.FromResult(state.State.Version == version ? null : Snapshot());

    public ValueTask<IReadOnlyList<string>> GetKeyIdsAsync() =>
        ValueTask.FromResult<IReadOnlyList<string>>([.. state.State.KeyIds.Order(StringComparer.Ordinal)]);

    public async ValueTask SetAsync(string keyId, string hash, DateTimeOffset? validUntil)
    {
        state.State.ByHash[hash] = new ClientKeyEntry(keyId, validUntil);
        state.State.KeyIds.Add(keyId);
        await CommitAsync();
    }

    public async ValueTask RemoveHashesAsync(string keyId, string? keep)
    {
        var gone = state.State.ByHash.Where(e => e.Value.KeyId == keyId && e.Key != keep).Select(e => e.Key).ToList();
        foreach (var hash in gone)
        {
            state.State.ByHash.Remove(hash);
        }

        await CommitAsync();
    }

    private async Task CommitAsync()
    {
        // Rotated-out keys past their grace period are dropped with any change.
        var now = time.GetUtcNow();
        foreach (var expired in state.State.ByHash.Where(e => e.Value.ValidUntil < now).Select(e => e.Key).ToList())
        {
            state.State.ByHash.Remove(expired);
        }

        state.State.Version++;
        _snapshot = null;
        await state.WriteStateAsync();
    }

    private ClientKeyRegistrySnapshot Snapshot() => _snapshot ??= new ClientKeyRegistrySnapshot
    {
        Version = state.State.Version,
        ByHash = new Dictionary<string, ClientKeyEntry>(state.State.ByHash, StringComparer.Ordinal),
    };
}
