using ImageOrleans.Grains.ClientKeys;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Checks <c>ImageOrleans:Admin</c> at start-up: a mistyped hash or a short key would otherwise leave the
/// admin API silently closed, or open to guessing. Values are never echoed.
/// </summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = new List<string>();
        if (options.KeyHash is { Length: > 0 } hash && (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit)))
        {
            failures.Add("ImageOrleans:Admin:KeyHash must be the SHA-256 of the admin key as 64 hexadecimal characters.");
        }

        if (options.Key is { Length: > 0 } key && !ClientKeySecret.IsLongEnough(key))
        {
            failures.Add($"ImageOrleans:Admin:Key must be at least {ClientKeySecret.MinLength} characters.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
