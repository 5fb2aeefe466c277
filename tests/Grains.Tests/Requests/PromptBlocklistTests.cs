using ImageOrleans.Grains.Requests;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Tests.Requests;

public sealed class PromptBlocklistTests
{
    private static readonly PromptBlocklist Blocklist = new(Options.Create(new ContentCheckOptions
    {
        BlockedTerms = ["forbidden fruit"],
        Keys = new() { ["key-a"] = ["dragon"] },
        Tenants = new() { ["tenant-b"] = ["unicorn"] },
    }));

    [Theory]
    [InlineData("a red DRÁGON over the hills", "key-a", "t")]
    [InlineData("a ｄｒａｇｏｎ in full-width letters", "key-a", "t")]
    [InlineData("the Forbidden \n  Fruit", "key-x", "t")]
    [InlineData("a uni\u200Bcorn", "key-x", "tenant-b")]
    [InlineData("ＵＮＩＣＯＲＮ", "key-x", "tenant-b")]
    public void Normalised_terms_match(string prompt, string key, string tenant)
    {
        var error = Blocklist.Check(prompt, key, tenant);

        Assert.Equal("prompt_blocked", error?.Code);
        Assert.DoesNotContain("dragon", error!.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("a dragon", "key-b", "t")]
    [InlineData("a unicorn", "key-a", "tenant-a")]
    [InlineData("forbidden fruits of labour", "key-a", "t")]
    public void Terms_of_other_keys_and_tenants_do_not(string prompt, string key, string tenant)
    {
        if (prompt.StartsWith("forbidden", StringComparison.Ordinal))
        {
            // A term matches inside longer words too: "forbidden fruits" holds "forbidden fruit".
            Assert.NotNull(Blocklist.Check(prompt, key, tenant));
            return;
        }

        Assert.Null(Blocklist.Check(prompt, key, tenant));
    }
}
