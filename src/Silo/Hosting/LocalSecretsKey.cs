using System.Security.Cryptography;
using ImageOrleans.Grains.Secrets;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// The embedded default (one local silo) generates its secrets master key once and keeps it under the
/// data folder. A cluster generates nothing: every silo must be given the same key, so a missing one
/// fails start-up naming <c>ImageOrleans:Secrets:Keys</c>.
/// </summary>
public sealed class LocalSecretsKey(IOptions<ClusterProfileOptions> cluster, DataFolder data) : IPostConfigureOptions<SecretsOptions>
{
    public const string KeyId = "local";
    public const string FileName = "secrets-master-key";

    public void PostConfigure(string? name, SecretsOptions options)
    {
        if (cluster.Value.Mode != ClusterMode.Localhost || options.Keys.Count > 0)
        {
            return;
        }

        options.Keys[KeyId] = data.GetOrCreateSecret(FileName, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretCipher.KeySize)));
        options.ActiveKeyId ??= KeyId;
    }
}
