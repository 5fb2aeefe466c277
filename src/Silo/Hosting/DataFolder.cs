using System.Security.Cryptography;
using ImageOrleans.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>The local data folder, and the secrets a single local silo may generate and keep there.</summary>
public sealed class DataFolder(IOptions<ImageOrleansOptions> options, IHostEnvironment environment)
{
    public string Path { get; } = options.Value.ResolveDataPath(environment.ContentRootPath);

    /// <summary>Reads a generated secret, creating it (readable by this user only) on first use.</summary>
    public string GetOrCreateSecret(string name, Func<string> generate)
    {
        var file = System.IO.Path.Combine(Path, name);
        if (File.Exists(file))
        {
            var existing = File.ReadAllText(file).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        Directory.CreateDirectory(Path);
        var secret = generate();
        File.WriteAllText(file, secret + Environment.NewLine);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return secret;
    }

    public static string RandomToken(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', 'A').Replace('/', 'B');
}
