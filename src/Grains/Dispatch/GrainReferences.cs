using System.Collections.Concurrent;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.ClientKeys;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// This silo's references to the grains every request talks to. Orleans' <c>GetGrain</c> resolves the
/// interface's grain types by reading its attributes and formatting its name on every call; here they are
/// resolved once per interface, and the references to the client keys and accounts (a few, asked for on
/// every request) are kept whole, since a reference is immutable.
/// </summary>
public sealed class GrainReferences(IGrainFactory grains)
{
    // Far more keys and accounts than any pool has; past it the references are simply built again.
    private const int Kept = 10_000;

    private readonly ConcurrentDictionary<string, IClientKeyGrain> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IAccountGrain> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, (GrainType Grain, GrainInterfaceType Interface)> _types = new();

    public IClientKeyGrain Key(string keyId) => Keep(_keys, keyId);

    public IAccountGrain Account(string accountId) => Keep(_accounts, accountId);

    /// <summary>The grain of interface <typeparamref name="T"/> with key <paramref name="key"/>, as <c>GetGrain</c> gives it.</summary>
    public T Get<T>(string key)
        where T : IGrainWithStringKey
    {
        if (_types.TryGetValue(typeof(T), out var types))
        {
            return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        }

        var reference = grains.GetGrain<T>(key);
        if (reference is GrainReference resolved)
        {
            _types.TryAdd(typeof(T), (resolved.GrainId.Type, resolved.InterfaceType));
        }

        return reference;
    }

    private T Keep<T>(ConcurrentDictionary<string, T> kept, string id)
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

        return kept.GetOrAdd(id, Get<T>(id));
    }
}
