using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Tests.ClientKeys;

public sealed class ClientKeySecretTests
{
    [Theory]
    [InlineData("sk-io-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789")]
    [InlineData("sk-io-dev-0123456789abcdefghijklmnopqrstuv")]
    [InlineData("sk-test-tenant-a-0123456789abcdef")]
    [InlineData("a-key-of-exactly-24-char")]
    public void A_hint_shows_at_most_four_characters_of_the_key(string key)
    {
        var hint = ClientKeySecret.Hint(key);

        // Every character of the hint but the ellipsis comes from the key: there are at most four.
        var shown = hint.Replace("…", string.Empty, StringComparison.Ordinal);
        Assert.True(shown.Length <= 4, $"'{hint}' shows {shown.Length} characters of the key");
        Assert.Equal("…" + key[^4..], hint);

        // Not even a prefix the key shares with every generated key.
        Assert.DoesNotContain("sk-", hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sk-io-…abcd", "…abcd")]
    [InlineData("sk-tes…cdef", "…cdef")]
    [InlineData("sk-io-dev-…wxyz", "…wxyz")]
    [InlineData("…abcd", "…abcd")]
    [InlineData("(configured by hash)", "(configured by hash)")]
    [InlineData(null, null)]
    public void Hints_stored_by_older_versions_are_shown_cut_to_four_characters(string? stored, string? shown) =>
        Assert.Equal(shown, ClientKeySecret.Shown(stored));

    [Theory]
    [InlineData(23, false)]
    [InlineData(24, true)]
    public void A_configured_key_shorter_than_24_characters_fails_start_up_naming_the_setting(int length, bool valid)
    {
        var options = new ImageOrleansOptions { ClientKeys = { ["short"] = new ClientKeyOptions { Key = new string('k', length) } } };

        var result = new ImageOrleansOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("ImageOrleans:ClientKeys:short:Key must be at least 24 characters", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_key_configured_by_hash_has_no_length_to_check()
    {
        var options = new ImageOrleansOptions { ClientKeys = { ["hashed"] = new ClientKeyOptions { KeyHash = new string('a', 64) } } };

        Assert.True(new ImageOrleansOptionsValidator().Validate(null, options).Succeeded);
    }
}
