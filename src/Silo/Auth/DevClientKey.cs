using ImageOrleans.Grains.Configuration;
using ImageOrleans.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Auth;

/// <summary>
/// The development client key: the configured one, or, on a local single silo with no client key
/// configured at all, one generated once and kept in the data folder so it survives restarts.
/// </summary>
public sealed class DevClientKey
{
    public const string Id = "dev";

    private const string FileName = "dev-client-key";

    public DevClientKey(IOptions<DevOptions> dev, IOptions<ImageOrleansOptions> root, IOptions<ClusterProfileOptions> cluster, DataFolder data)
    {
        if (!string.IsNullOrWhiteSpace(dev.Value.ClientKey))
        {
            Value = dev.Value.ClientKey.Trim();
        }
        else if (cluster.Value.Mode == ClusterMode.Localhost && root.Value.ClientKeys.Count == 0)
        {
            Value = data.GetOrCreateSecret(FileName, () => "sk-io-dev-" + DataFolder.RandomToken(24));
            Generated = true;
            StoredAt = Path.Combine(data.Path, FileName);
        }
    }

    public string? Value { get; }

    /// <summary>True when the key was generated here rather than configured: it is printed at start-up.</summary>
    public bool Generated { get; }

    public string? StoredAt { get; }
}
