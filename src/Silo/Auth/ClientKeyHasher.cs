using System.Security.Cryptography;
using System.Text;

namespace ImageOrleans.Silo.Auth;

/// <summary>Client keys are kept and compared only as SHA-256 hashes.</summary>
public static class ClientKeyHasher
{
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string HashHex(string key) => Convert.ToHexStringLower(Hash(key));
}
