using ImageOrleans.Grains.Models;

namespace ImageOrleans.Grains.Tests.Models;

public sealed class ModelAliasOptionsValidatorTests
{
    private static string? Failure(Dictionary<string, Dictionary<string, int>> aliases)
    {
        var result = new ModelAliasOptionsValidator().Validate(null, new ModelAliasOptions { Aliases = aliases });
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void A_split_adding_up_to_100_is_accepted()
    {
        Assert.Null(Failure(new() { ["gpt-image-1"] = new() { ["gpt-image-2.6-sunburst"] = 80, ["gpt-image-2.6-flare"] = 20 } }));
    }

    [Fact]
    public void Shares_that_do_not_add_up_to_100_fail_naming_the_setting()
    {
        var failure = Failure(new() { ["gpt-image-1"] = new() { ["gpt-image-2.6-sunburst"] = 80, ["gpt-image-2.6-flare"] = 30 } });

        Assert.Contains("ImageOrleans:Models:Aliases:gpt-image-1", failure, StringComparison.Ordinal);
        Assert.Contains("110", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_pointing_at_another_alias_or_at_itself_fails()
    {
        Assert.NotNull(Failure(new()
        {
            ["gpt-image-1"] = new() { ["gpt-image-1.5"] = 100 },
            ["gpt-image-1.5"] = new() { ["gpt-image-2.6-sunburst"] = 100 },
        }));
        Assert.NotNull(Failure(new() { ["gpt-image-1"] = new() { ["gpt-image-1"] = 100 } }));
    }

    [Fact]
    public void An_empty_alias_or_a_zero_share_fails()
    {
        Assert.NotNull(Failure(new() { ["gpt-image-1"] = [] }));
        Assert.NotNull(Failure(new() { ["gpt-image-1"] = new() { ["gpt-image-2.6-sunburst"] = 100, ["gpt-image-2.6-flare"] = 0 } }));
    }
}
