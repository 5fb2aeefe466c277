using System.Collections.Concurrent;
using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// This silo's recent view of every account's load, fed by the snapshots that come back with each
/// lease decision and outcome report, so routing needs no extra round trip.
/// </summary>
public sealed class AccountLoadCache
{
    private readonly ConcurrentDictionary<string, AccountLoad> _loads = new(StringComparer.Ordinal);

    /// <summary>Raised for every snapshot observed, so waiters can be told that capacity may be free.</summary>
    public event Action<AccountLoad>? Changed;

    public AccountLoad? Get(string accountId) => _loads.GetValueOrDefault(accountId);

    public void Observe(AccountLoad load)
    {
        _loads.AddOrUpdate(load.AccountId, load, (_, existing) => load.AsOf >= existing.AsOf ? load : existing);
        Changed?.Invoke(load);
    }

    /// <summary>
    /// Counts a lease we are about to ask for, before the grain answers, so requests routed at the
    /// same moment spread out instead of all choosing the same "least loaded" account.
    /// </summary>
    public void Anticipate(string accountId, int images)
    {
        if (_loads.TryGetValue(accountId, out var existing))
        {
            _loads.TryUpdate(accountId, existing with
            {
                RequestTokens = Math.Max(0, existing.RequestTokens - 1),
                ImageTokens = Math.Max(0, existing.ImageTokens - images),
                InFlight = existing.InFlight + 1,
            }, existing);
        }
    }
}
