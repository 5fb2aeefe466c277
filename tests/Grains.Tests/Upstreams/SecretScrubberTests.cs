using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Upstreams;

public sealed class SecretScrubberTests
{
    [Fact]
    public void Removes_the_account_key_and_anything_shaped_like_a_key()
    {
        var key = new UpstreamSecret("azure-0123456789abcdef0123456789abcdef");
        var text = "Access denied for azure-0123456789abcdef0123456789abcdef; also sk-proj-AbCdEf0123456789xyz was seen";

        var scrubbed = SecretScrubber.Scrub(text, key)!;

        Assert.DoesNotContain("0123456789abcdef0123456789", scrubbed, StringComparison.Ordinal);
        Assert.DoesNotContain("AbCdEf0123456789", scrubbed, StringComparison.Ordinal);
        Assert.Contains("…cdef", scrubbed, StringComparison.Ordinal);
        Assert.Contains("sk-…9xyz", scrubbed, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_print_masked()
    {
        var key = new UpstreamSecret("sk-live-abcdefghijklmnop1234");
        var account = new UpstreamAccount { Id = "a", ApiKey = key, Models = ["m"] };

        Assert.Equal("sk-…1234", key.ToString());
        Assert.DoesNotContain("abcdefghijklmnop", account.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghijklmnop", $"{account}", StringComparison.Ordinal);
    }
}
