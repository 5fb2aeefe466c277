using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Tests.Caching;

public sealed class CacheKeyTests
{
    private static readonly ImageRequest Base = new()
    {
        Model = "gpt-image-1",
        Prompt = "a red fox in the snow",
        N = 1,
        Size = "1024x1024",
        Quality = "low",
        OutputFormat = "png",
        Background = "auto",
        Moderation = "auto",
    };

    [Fact]
    public void Whitespace_and_model_case_do_not_change_the_key()
    {
        var spaced = Base with { Prompt = "  a red\tfox \n in   the snow ", Model = "GPT-Image-1" };
        Assert.Equal(CacheKey.For("t", Base), CacheKey.For("t", spaced));
    }

    [Fact]
    public void Delivery_details_do_not_change_the_key()
    {
        Assert.Equal(CacheKey.For("t", Base), CacheKey.For("t", Base with { User = "end-user-7", AlwaysBase64 = true }));
    }

    [Fact]
    public void Tenants_never_share_keys()
    {
        Assert.NotEqual(CacheKey.For("tenant-a", Base), CacheKey.For("tenant-b", Base));
    }

    public static TheoryData<ImageRequest> Variants => new()
    {
        Base with { Prompt = "a Red fox in the snow" },
        Base with { Prompt = "a red fox in the snow." },
        Base with { Model = "gpt-image-1-mini" },
        Base with { N = 2 },
        Base with { Size = "1536x1024" },
        Base with { Quality = "high" },
        Base with { Background = "transparent" },
        Base with { OutputFormat = "webp" },
        Base with { OutputFormat = "webp", OutputCompression = 80 },
        Base with { Moderation = "low" },
        Base with { Style = "vivid" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_output_affecting_parameter_changes_the_key(ImageRequest variant)
    {
        Assert.NotEqual(CacheKey.For("t", Base), CacheKey.For("t", variant));
    }

    [Fact]
    public void Fields_cannot_bleed_into_each_other()
    {
        // "ab"+"c" and "a"+"bc" must not collide through concatenation.
        var one = Base with { Size = "ab", Quality = "c" };
        var two = Base with { Size = "a", Quality = "bc" };
        Assert.NotEqual(CacheKey.For("t", one), CacheKey.For("t", two));
    }

    [Theory]
    [InlineData("  hello   world  ", "hello world")]
    [InlineData("line\r\nbreak\ttab", "line break tab")]
    [InlineData("kept: Case, punctuation!", "kept: Case, punctuation!")]
    public void Normalization_collapses_white_space_only(string prompt, string expected) =>
        Assert.Equal(expected, CacheKey.NormalizePrompt(prompt));
}
