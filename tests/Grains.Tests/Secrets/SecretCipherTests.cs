using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Secrets;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Tests.Secrets;

public sealed class SecretCipherTests
{
    private const string Plain = "sk-live-cipher-test-0a1b2c3d4e5f6789";
    private static readonly string K1 = TestSecrets.RandomKey();
    private static readonly string K2 = TestSecrets.RandomKey();

    [Fact]
    public void A_sealed_secret_round_trips_and_carries_no_clear_text()
    {
        var cipher = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K1 });

        var sealedSecret = cipher.Seal(Plain);

        Assert.True(sealedSecret.IsSealed);
        Assert.Equal("k1", sealedSecret.KeyId);
        Assert.StartsWith("io1.k1.", sealedSecret.Envelope, StringComparison.Ordinal);
        Assert.DoesNotContain("cipher-test", sealedSecret.Envelope, StringComparison.Ordinal);
        Assert.Equal("sk-…6789", sealedSecret.ToString());
        Assert.Equal(Plain, cipher.Reveal(sealedSecret, "test"));

        // A fresh nonce each time: the same key never gives the same ciphertext twice.
        Assert.NotEqual(sealedSecret.Envelope, cipher.Seal(Plain).Envelope);
    }

    [Fact]
    public void A_tampered_ciphertext_fails_naming_the_key_id_and_not_the_secret()
    {
        var cipher = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K1 });
        var envelope = cipher.Seal(Plain).Envelope!;
        var chars = envelope.ToCharArray();
        var last = chars.Length - 3;
        chars[last] = chars[last] == 'A' ? 'B' : 'A';
        var tampered = UpstreamSecret.FromEnvelope(new string(chars), "sk-…6789");

        var error = Assert.Throws<SecretUnavailableException>(() => cipher.Reveal(tampered, "upstream account 'a1'"));

        Assert.Equal("k1", error.KeyId);
        Assert.Contains("'k1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("upstream account 'a1'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Plain, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_id_is_bound_into_the_ciphertext()
    {
        var cipher = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K1, ["k2"] = K1 });
        var envelope = cipher.Seal(Plain).Envelope!;

        // Same key bytes under another id: relabelling the envelope still fails.
        var relabelled = UpstreamSecret.FromEnvelope(envelope.Replace("io1.k1.", "io1.k2.", StringComparison.Ordinal), null);

        Assert.Throws<SecretUnavailableException>(() => cipher.Reveal(relabelled, "test"));
    }

    [Fact]
    public void After_rotation_old_ciphertext_still_opens_and_new_writes_use_the_active_key()
    {
        var before = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K1 });
        var old = before.Seal(Plain);

        var after = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K1, ["k2"] = K2 }, active: "k2");

        Assert.Equal(Plain, after.Reveal(old, "test"));
        Assert.Equal("k2", after.Seal("another-secret-value-123").KeyId);
        Assert.True(after.NeedsSealing(old));
        var migrated = after.Seal(old);
        Assert.Equal("k2", migrated.KeyId);
        Assert.Equal(Plain, after.Reveal(migrated, "test"));
        Assert.False(after.NeedsSealing(migrated));

        // Once k1 is gone, only the migrated ciphertext opens.
        var retired = TestSecrets.Cipher(new Dictionary<string, string> { ["k2"] = K2 });
        Assert.Equal(Plain, retired.Reveal(migrated, "test"));
        Assert.Throws<SecretUnavailableException>(() => retired.Reveal(old, "test"));
    }

    [Fact]
    public void An_unknown_key_id_is_a_clear_error_and_is_left_as_it_is()
    {
        var old = TestSecrets.Cipher(new Dictionary<string, string> { ["gone"] = K1 }).Seal(Plain);
        var cipher = TestSecrets.Cipher(new Dictionary<string, string> { ["k2"] = K2 });

        var error = Assert.Throws<SecretUnavailableException>(() => cipher.Reveal(old, "client key 'ck1' (webhook secret)"));

        Assert.Equal("gone", error.KeyId);
        Assert.Contains("key id 'gone', which is not configured (ImageOrleans:Secrets:Keys:gone)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Plain, error.ToString(), StringComparison.Ordinal);
        Assert.False(cipher.NeedsSealing(old));
        Assert.Same(old, cipher.Seal(old));
    }

    [Fact]
    public void A_wrong_key_under_a_known_id_fails_to_verify()
    {
        var old = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K1 }).Seal(Plain);
        var other = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K2 });

        var error = Assert.Throws<SecretUnavailableException>(() => other.Reveal(old, "test"));

        Assert.Contains("does not verify under key id 'k1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_text_and_empty_secrets_are_handled_without_a_key_lookup()
    {
        var cipher = TestSecrets.Cipher(new Dictionary<string, string> { ["k1"] = K1 });

        Assert.Equal("given-in-clear-1234", cipher.Reveal(new UpstreamSecret("given-in-clear-1234"), "test"));
        Assert.Equal(string.Empty, cipher.Reveal(UpstreamSecret.Empty, "test"));
        Assert.Same(UpstreamSecret.Empty, cipher.Seal(UpstreamSecret.Empty));
        Assert.True(cipher.NeedsSealing(new UpstreamSecret("given-in-clear-1234")));
    }

    [Theory]
    [InlineData(null, null, "ImageOrleans:Secrets:Keys is empty")]
    [InlineData("k1", "k2", "ImageOrleans:Secrets:ActiveKeyId 'k2' names no key: add ImageOrleans:Secrets:Keys:k2")]
    [InlineData("k1", null, "ImageOrleans:Secrets:ActiveKeyId is not set")]
    [InlineData("bad.id", "bad.id", "ImageOrleans:Secrets:Keys:bad.id: a key id is 1 to 32 letters")]
    public void Start_up_names_the_setting_that_is_missing_or_wrong(string? id, string? active, string expected)
    {
        var options = new SecretsOptions { ActiveKeyId = active };
        if (id is not null)
        {
            options.Keys[id] = K1;
        }

        var result = new SecretsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_32_bytes_is_refused_without_echoing_it()
    {
        var shortKey = Convert.ToBase64String(new byte[16]);
        var options = new SecretsOptions { Keys = { ["k1"] = shortKey }, ActiveKeyId = "k1" };

        var result = new SecretsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ImageOrleans:Secrets:Keys:k1 must be the base64 of exactly 32 bytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(shortKey, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new SecretsOptionsValidator().Validate(null, new SecretsOptions { Keys = { ["k1"] = K1 }, ActiveKeyId = "k1" }).Succeeded);
    }
}
