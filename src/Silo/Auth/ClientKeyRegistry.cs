using System.Security.Cryptography;
using ImageOrleans.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Auth;

/// <summary>
/// The client keys this gateway accepts, held as hashes only. A presented key is hashed and compared
/// in constant time; the clear key is never stored.
/// </summary>
public sealed class ClientKeyRegistry
{
    private readonly Dictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    public ClientKeyRegistry(IOptions<ImageOrleansOptions> options, DevClientKey devKey)
    {
        foreach (var (id, key) in options.Value.ClientKeys)
        {
            var hash = key.KeyHash is { Length: > 0 } given ? Convert.FromHexString(given) : ClientKeyHasher.Hash(key.Key!);
            Add(hash, new ClientIdentity(id, key.Name ?? id, key.Tenant ?? id)
            {
                Priority = key.Priority,
                MaxPriority = key.MaxPriority is { } max && max < key.Priority ? max : key.Priority,
                Weight = key.Weight,
                MaxWait = key.MaxWait,
            });
        }

        if (devKey.Value is { } dev)
        {
            Add(ClientKeyHasher.Hash(dev), new ClientIdentity("dev", "Development key", "dev"));
        }
    }

    public int Count => _byHash.Count;

    public ClientIdentity? Authenticate(string presentedKey)
    {
        var hash = ClientKeyHasher.Hash(presentedKey);
        return _byHash.TryGetValue(Convert.ToHexStringLower(hash), out var entry)
               && CryptographicOperations.FixedTimeEquals(hash, entry.Hash)
            ? entry.Identity
            : null;
    }

    private void Add(byte[] hash, ClientIdentity identity) =>
        _byHash[Convert.ToHexStringLower(hash)] = new Entry(hash, identity);

    private sealed record Entry(byte[] Hash, ClientIdentity Identity);
}
