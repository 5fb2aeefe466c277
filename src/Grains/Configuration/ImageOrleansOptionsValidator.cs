using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Configuration;

/// <summary>Refuses to start with a configuration that could only fail later, saying exactly what is wrong.</summary>
public sealed class ImageOrleansOptionsValidator : IValidateOptions<ImageOrleansOptions>
{
    public ValidateOptionsResult Validate(string? name, ImageOrleansOptions options)
    {
        var problems = options.Accounts.SelectMany(a => a.Value.Problems(a.Key)).ToList();
        foreach (var (id, key) in options.ClientKeys)
        {
            if (string.IsNullOrEmpty(key.Key) == string.IsNullOrEmpty(key.KeyHash))
            {
                problems.Add($"Client key '{id}': set exactly one of Key or KeyHash.");
            }
            else if (key.Weight <= 0 || key.MaxWait <= TimeSpan.Zero)
            {
                problems.Add($"Client key '{id}': Weight and MaxWait must be positive.");
            }
            else if (key.Key is { } secret && !ClientKeys.ClientKeySecret.IsLongEnough(secret))
            {
                problems.Add($"ImageOrleans:ClientKeys:{id}:Key must be at least {ClientKeys.ClientKeySecret.MinLength} characters.");
            }
            else if (key.KeyHash is { } hash && (hash.Length != 64 || !hash.All(Uri.IsHexDigit)))
            {
                problems.Add($"Client key '{id}': KeyHash must be the SHA-256 of the key as 64 hex characters.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
