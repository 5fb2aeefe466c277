using System.Buffers.Text;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Secrets;

/// <summary>Start-up checks of <see cref="SecretsOptions"/>; every message names the setting, never a key.</summary>
public sealed class SecretsOptionsValidator : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(SecretsOptions options)
    {
        const string section = SecretsOptions.SectionName;
        if (options.Keys.Count == 0)
        {
            yield return $"{section}:Keys is empty: set {section}:Keys:<id> to the base64 of 32 random bytes (the same on every silo) " +
                         $"and {section}:ActiveKeyId to that id, so upstream keys and webhook secrets can be encrypted at rest.";
            yield break;
        }

        foreach (var (id, value) in options.Keys)
        {
            if (!SecretEnvelope.IsValidKeyId(id))
            {
                yield return $"{section}:Keys:{id}: a key id is 1 to 32 letters, digits, '-' or '_'.";
            }

            if (!IsKey(value))
            {
                yield return $"{section}:Keys:{id} must be the base64 of exactly 32 bytes.";
            }
        }

        if (string.IsNullOrWhiteSpace(options.ActiveKeyId))
        {
            yield return $"{section}:ActiveKeyId is not set: name the key of {section}:Keys that encrypts new secrets.";
        }
        else if (!options.Keys.ContainsKey(options.ActiveKeyId))
        {
            yield return $"{section}:ActiveKeyId '{options.ActiveKeyId}' names no key: add {section}:Keys:{options.ActiveKeyId}.";
        }
    }

    private static bool IsKey(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[64];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == SecretCipher.KeySize
            || Base64Url.IsValid(value.Trim(), out var length) && length == SecretCipher.KeySize;
    }
}
