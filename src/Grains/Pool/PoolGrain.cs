using ImageOrleans.Grains.Configuration;
using System.Security.Cryptography;
using System.Text;

namespace ImageOrleans.Grains.Pool;

/// <inheritdoc cref="IPoolGrain"/>
public sealed class PoolGrain(
    [PersistentState("pool", GrainStorageNames.Pool)] IPersistentState<PoolState> state) : Grain, IPoolGrain
{
    private PoolSnapshot? _snapshot;

    public ValueTask<PoolSnapshot> GetSnapshotAsync() => ValueTask.FromResult(Snapshot());

    public ValueTask<UpstreamAccount?> GetAccountAsync(string accountId) =>
        ValueTask.FromResult(state.State.Accounts.GetValueOrDefault(accountId));

    public async ValueTask<PoolSnapshot> SeedAsync(IReadOnlyList<UpstreamAccount> accounts)
    {
        var changed = new List<string>();
        var seeded = accounts.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            var fingerprint = Fingerprint(account);
            // An unchanged seed leaves the account as the admin API left it, removed included.
            if (state.State.SeedFingerprints.TryGetValue(account.Id, out var previous) && previous == fingerprint)
            {
                continue;
            }

            state.State.SeedFingerprints[account.Id] = fingerprint;
            state.State.Accounts[account.Id] = account with { Version = state.State.Version + 1 };
            changed.Add(account.Id);
        }

        foreach (var gone in state.State.SeedFingerprints.Keys.Where(id => !seeded.Contains(id)).ToList())
        {
            state.State.SeedFingerprints.Remove(gone);
            if (state.State.Accounts.Remove(gone))
            {
                changed.Add(gone);
            }
        }

        if (changed.Count > 0)
        {
            await CommitAsync(changed);
        }

        return Snapshot();
    }

    public async ValueTask<UpstreamAccount> UpsertAsync(UpstreamAccount account)
    {
        var stored = account with { Version = state.State.Version + 1 };
        state.State.Accounts[account.Id] = stored;
        await CommitAsync([account.Id]);
        return stored;
    }

    public async ValueTask<bool> RemoveAsync(string accountId)
    {
        if (!state.State.Accounts.Remove(accountId))
        {
            return false;
        }

        // The seed fingerprint stays: the configuration entry, while unchanged, does not bring it back.
        await CommitAsync([accountId]);
        return true;
    }

    private async Task CommitAsync(IReadOnlyList<string> changed)
    {
        state.State.Version++;
        _snapshot = null;
        await state.WriteStateAsync();

        // Account grains hold the limits they enforce; tell them now rather than on their next activation.
        await Task.WhenAll(changed.Select(id =>
            GrainFactory.GetGrain<Accounts.IAccountGrain>(id).ConfigureAsync(state.State.Accounts.GetValueOrDefault(id)).AsTask()));
    }

    private PoolSnapshot Snapshot() => _snapshot ??= new PoolSnapshot
    {
        Version = state.State.Version,
        Accounts = [.. state.State.Accounts.Values.OrderBy(a => a.Id, StringComparer.Ordinal)],
    };

    private static string Fingerprint(UpstreamAccount account)
    {
        var text = new StringBuilder()
            .Append(account.Kind).Append('|').Append(account.BaseUrl).Append('|')
            .Append(account.ApiKey.Reveal()).Append('|').Append(account.Organization).Append('|')
            .Append(account.Project).Append('|').Append(account.ApiVersion).Append('|')
            .AppendJoin(',', account.Deployments.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}")).Append('|')
            .AppendJoin(',', account.Models).Append('|')
            .Append(account.RequestsPerMinute).Append('|').Append(account.ImagesPerMinute).Append('|')
            .Append(account.MaxConcurrency).Append('|').Append(account.Timeout.Ticks).Append('|')
            .Append(account.Weight).Append('|').Append(account.Enabled).Append('|').Append(account.Group).Append('|').Append(account.PriceFactor)
            .ToString();
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
