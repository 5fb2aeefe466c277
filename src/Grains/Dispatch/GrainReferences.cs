using System.Collections.Concurrent;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.ClientKeys;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// This silo's references to the grains every generation talks to: its client key (admission, settlement)
/// and the accounts (lease, outcome). Orleans builds a reference on each <c>GetGrain</c> by reading the
/// interface's attributes and formatting its type name; a reference is immutable, so one per grain is kept.
/// </summary>
public sealed class GrainReferences(IGrainFactory grains)
{
    // Far more keys and accounts than any pool has; past it the references are simply built again.
    private const int Kept = 10_000;

    private readonly ConcurrentDictionary<string, IClientKeyGrain> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IAccountGrain> _accounts = new(StringComparer.Ordinal);

    public IClientKeyGrain Key(string keyId) => Get(_keys, keyId);

    public IAccountGrain Account(string accountId) => Get(_accounts, accountId);

    private T Get<T>(ConcurrentDictionary<string, T> kept, string id)
        where T : IGrainWithStringKey
    {
        if (kept.TryGetValue(id, out var reference))
        {
            return reference;
        }

        if (kept.Count >= Kept)
        {
            kept.Clear();
        }

        return kept.GetOrAdd(id, grains.GetGrain<T>(id));
    }
}
