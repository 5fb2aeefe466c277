using ImageOrleans.Grains.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Tests.Secrets;

/// <summary>Master keys for tests: the silos and the test cluster's client must share them.</summary>
public static class TestSecrets
{
    public const string KeyId = "tests-1";

    public static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>Adds the active test key to a configuration dictionary.</summary>
    public static Dictionary<string, string?> WithTestSecrets(this Dictionary<string, string?> settings)
    {
        settings[$"{SecretsOptions.SectionName}:Keys:{KeyId}"] = Key;
        settings[$"{SecretsOptions.SectionName}:ActiveKeyId"] = KeyId;
        return settings;
    }

    /// <summary>An Orleans client of a test cluster seals what it sends with the same keys.</summary>
    public static void AddTo(IServiceCollection services) =>
        services.AddImageOrleansSecrets(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>().WithTestSecrets()).Build());

    /// <summary>A cipher over the given keys (id → base64), the first one active unless named.</summary>
    public static SecretCipher Cipher(IReadOnlyDictionary<string, string> keys, string? active = null) =>
        new(Options.Create(new SecretsOptions
        {
            Keys = new Dictionary<string, string>(keys, StringComparer.OrdinalIgnoreCase),
            ActiveKeyId = active ?? keys.Keys.First(),
        }), NullLogger<SecretCipher>.Instance);

    public static string RandomKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
