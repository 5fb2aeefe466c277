using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Secrets;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography;
using System.Text;

namespace ImageOrleans.Grains.Pool;

/// <inheritdoc cref="IPoolGrain"/>
public sealed partial class PoolGrain(
    [PersistentState("pool", GrainStorageNames.Pool)] IPersistentState<PoolState> state,
    SecretCipher secrets,
    ILogger<PoolGrain> logger) : Grain, IPoolGrain
{
    private PoolSnapshot? _snapshot;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Keys from state written before encryption, or sealed under a key that is no longer the
        // active one, are sealed under the active key now, so the old key can be retired.
        var changed = new List<string>();
        foreach (var account in state.State.Accounts.Values.ToList())
        {
            var from = account.ApiKey.KeyId ?? "(clear text)";
            if (secrets.NeedsSealing(account.ApiKey))
            {
                var resealed = secrets.Seal(account.ApiKey);
                if (!ReferenceEquals(resealed, account.ApiKey))
                {
                    state.State.Accounts[account.Id] = account with { ApiKey = resealed };
                    changed.Add(account.Id);
                    LogResealed(logger, account.Id, from, secrets.ActiveKeyId);
                }
            }
            else if (account.ApiKey is { IsSealed: true, KeyId: var keyId } && !string.Equals(keyId, secrets.ActiveKeyId, StringComparison.OrdinalIgnoreCase))
            {
                LogUnknownKey(logger, account.Id, keyId ?? "(none)");
            }
        }

        if (changed.Count > 0)
        {
            // Not pushed to the account grains: they use the definition for limits, not for its key,
            // and an account grain activating now would wait on this activation for its definition.
            state.State.Version++;
            await state.WriteStateAsync(cancellationToken);
        }

        await base.OnActivateAsync(cancellationToken);
    }

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
            state.State.Accounts[account.Id] = account with { ApiKey = secrets.Seal(account.ApiKey), Version = state.State.Version + 1 };
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
        var stored = account with { ApiKey = secrets.Seal(account.ApiKey), Version = state.State.Version + 1 };
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

    private string Fingerprint(UpstreamAccount account)
    {
        // Over the key in clear (as before encryption), so a seed sealed afresh on every start still
        // matches; the fingerprint is a hash, and the clear text lives only for this call.
        string key;
        try
        {
            key = secrets.Reveal(account.ApiKey, $"upstream account '{account.Id}'");
        }
        catch (SecretUnavailableException)
        {
            key = Guid.NewGuid().ToString("N");
        }

        var text = new StringBuilder()
            .Append(account.Kind).Append('|').Append(account.BaseUrl).Append('|')
            .Append(key).Append('|').Append(account.Organization).Append('|')
            .Append(account.Project).Append('|').Append(account.ApiVersion).Append('|')
            .AppendJoin(',', account.Deployments.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}")).Append('|')
            .AppendJoin(',', account.Models).Append('|')
            .Append(account.RequestsPerMinute).Append('|').Append(account.ImagesPerMinute).Append('|')
            .Append(account.MaxConcurrency).Append('|').Append(account.Timeout.Ticks).Append('|')
            .Append(account.Weight).Append('|').Append(account.Enabled).Append('|').Append(account.Group).Append('|').Append(account.PriceFactor)
            .Append(account.GroupPriority == 0 ? string.Empty : $"|{account.GroupPriority}")
            .Append(account.LimitScope is null ? string.Empty : $"|scope={account.LimitScope}")
            .ToString();
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Upstream account {AccountId}: its API key was re-encrypted from {FromKeyId} to the active key {KeyId}")]
    private static partial void LogResealed(ILogger logger, string accountId, string fromKeyId, string keyId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error,
        Message = "Upstream account {AccountId}: its API key is sealed under key id {KeyId}, which is not configured; the account cannot be used until that key is configured or its api_key is set again")]
    private static partial void LogUnknownKey(ILogger logger, string accountId, string keyId);
}
