using System.Text;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace ImageOrleans.Grains.Tests.Secrets;

/// <summary>What Orleans writes for a secret (grain state, messages, snapshots): ciphertext only.</summary>
public sealed class SecretSerializationTests
{
    private const string Plain = "sk-live-serialized-0a1b2c3d4e5f6789";

    [Fact]
    public void A_pool_snapshot_serializes_without_the_clear_key_and_reads_back_sealed()
    {
        var (serializer, cipher) = Create(TestSecrets.Key);
        var snapshot = new PoolSnapshot { Version = 3, Accounts = [new UpstreamAccount { Id = "a1", ApiKey = new UpstreamSecret(Plain), Models = ["m"] }] };

        var bytes = serializer.SerializeToArray(snapshot);

        SecretBytes.AssertAbsent(bytes, Plain);
        var read = serializer.Deserialize<PoolSnapshot>(bytes)!.Accounts.Single().ApiKey;
        Assert.True(read.IsSealed);
        Assert.Equal(TestSecrets.KeyId, read.KeyId);
        Assert.Equal("sk-…6789", read.Masked);
        Assert.Equal(Plain, cipher.Reveal(read, "test"));
    }

    [Fact]
    public void Clear_text_state_from_before_encryption_is_read_and_encrypted_on_the_next_write()
    {
        var (serializer, cipher) = Create(TestSecrets.Key);

        // The old UpstreamSecret wrote its clear value as field 0, as the surrogate's Legacy field is.
        var old = serializer.SerializeToArray(new UpstreamSecretSurrogate { Legacy = Plain });
        Assert.True(Contains(old, Encoding.UTF8.GetBytes(Plain)));

        var read = serializer.Deserialize<UpstreamSecret>(old)!;
        Assert.False(read.IsSealed);
        Assert.Equal(Plain, cipher.Reveal(read, "test"));

        var rewritten = serializer.SerializeToArray(read);
        SecretBytes.AssertAbsent(rewritten, Plain);
        Assert.Equal(Plain, cipher.Reveal(serializer.Deserialize<UpstreamSecret>(rewritten)!, "test"));
    }

    [Fact]
    public void A_write_moves_ciphertext_of_an_older_key_to_the_active_key()
    {
        var oldKey = TestSecrets.RandomKey();
        var sealedOld = TestSecrets.Cipher(new Dictionary<string, string> { ["old"] = oldKey }).Seal(Plain);
        var (serializer, cipher) = Create(TestSecrets.Key, ("old", oldKey));

        var read = serializer.Deserialize<UpstreamSecret>(serializer.SerializeToArray(sealedOld))!;

        Assert.Equal(TestSecrets.KeyId, read.KeyId);
        Assert.Equal(Plain, cipher.Reveal(read, "test"));
    }

    [Fact]
    public void Ciphertext_under_an_unknown_key_is_written_as_it_is_not_lost()
    {
        var sealedGone = TestSecrets.Cipher(new Dictionary<string, string> { ["gone"] = TestSecrets.RandomKey() }).Seal(Plain);
        var (serializer, _) = Create(TestSecrets.Key);

        var read = serializer.Deserialize<UpstreamSecret>(serializer.SerializeToArray(sealedGone))!;

        Assert.Equal(sealedGone.Envelope, read.Envelope);
    }

    [Fact]
    public void A_process_without_the_cipher_refuses_to_serialize_a_clear_secret()
    {
        var serializer = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(UpstreamSecret).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer>();

        var error = Assert.ThrowsAny<Exception>(() => serializer.SerializeToArray(new UpstreamSecret(Plain)));

        Assert.Contains("cannot be serialized", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Plain, error.ToString(), StringComparison.Ordinal);
    }

    private static (Serializer Serializer, SecretCipher Cipher) Create(string activeKey, params (string Id, string Key)[] others)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{SecretsOptions.SectionName}:Keys:{TestSecrets.KeyId}"] = activeKey,
            [$"{SecretsOptions.SectionName}:ActiveKeyId"] = TestSecrets.KeyId,
        };
        foreach (var (id, key) in others)
        {
            settings[$"{SecretsOptions.SectionName}:Keys:{id}"] = key;
        }

        var services = new ServiceCollection()
            .AddLogging()
            .AddSerializer(b => b.AddAssembly(typeof(UpstreamSecret).Assembly))
            .AddImageOrleansSecrets(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
        return (services.GetRequiredService<Serializer>(), services.GetRequiredService<SecretCipher>());
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
