using ImageOrleans.Grains.Models;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Models;

public sealed class ModelResolverTests
{
    private static readonly HashSet<string> Today = new(["gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-2"], StringComparer.OrdinalIgnoreCase);

    private static ModelResolver Resolver(Dictionary<string, Dictionary<string, int>>? aliases = null, DateTimeOffset? now = null) =>
        new(new ModelCatalogue(), Options.Create(new ModelAliasOptions { Aliases = aliases ?? [] }),
            new FakeTimeProvider(now ?? new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void A_served_model_runs_under_its_own_name()
    {
        var resolution = Resolver().Resolve("gpt-image-2.6-flare", Today, 0, out var error);

        Assert.Null(error);
        Assert.Equal("gpt-image-2.6-flare", resolution!.Model);
        Assert.False(resolution.Deprecated);
    }

    [Fact]
    public void A_retired_model_an_account_still_lists_runs_under_its_own_name_with_a_deprecation()
    {
        var served = new HashSet<string>(Today) { "gpt-image-1" };
        var resolution = Resolver(new() { ["gpt-image-1"] = new() { ["gpt-image-2.6-sunburst"] = 100 } }).Resolve("gpt-image-1", served, 0, out var error);

        Assert.Null(error);
        Assert.Equal("gpt-image-1", resolution!.Model);
        Assert.False(resolution.Aliased);
        Assert.Equal(new DateOnly(2026, 10, 23), resolution.ShutdownDate);
        Assert.True(resolution.Deprecated);
    }

    [Theory]
    [InlineData("gpt-image-1", "2026-10-23", "gpt-image-2.5-sunburst")]
    [InlineData("dall-e-3", "2026-05-12", "gpt-image-2.5-sunburst")]
    [InlineData("gpt-image-1.5", "2026-12-01", "gpt-image-2.6-sunburst")]
    [InlineData("gpt-image-1-mini", "2026-12-01", "gpt-image-2.6-flare")]
    [InlineData("chatgpt-image-latest", "2026-12-01", "gpt-image-2.6-sunburst")]
    public void A_retired_model_without_alias_is_not_found_naming_its_shutdown_and_successor(string model, string shutdown, string successor)
    {
        var resolution = Resolver().Resolve(model, Today, 0, out var error);

        Assert.Null(resolution);
        Assert.Equal(404, error!.Status);
        Assert.Equal("model_not_found", error.Code);
        Assert.Equal("model", error.Param);
        Assert.Contains(shutdown, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{successor}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_day_before_its_shutdown_a_deprecated_model_gets_the_plain_not_found_only_when_nobody_serves_it()
    {
        var resolution = Resolver(now: new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero)).Resolve("gpt-image-1.5", Today, 0, out var error);

        Assert.Null(resolution);
        Assert.DoesNotContain("shut down", error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "gpt-image-2.6-sunburst")]
    [InlineData(79, "gpt-image-2.6-sunburst")]
    [InlineData(80, "gpt-image-2.6-flare")]
    [InlineData(99, "gpt-image-2.6-flare")]
    public void An_alias_splits_by_percentage(int roll, string expected)
    {
        var resolver = Resolver(new() { ["gpt-image-1"] = new() { ["gpt-image-2.6-sunburst"] = 80, ["gpt-image-2.6-flare"] = 20 } });

        var resolution = resolver.Resolve("gpt-image-1", Today, roll, out var error);

        Assert.Null(error);
        Assert.Equal(expected, resolution!.Model);
        Assert.True(resolution.Aliased);
        Assert.Equal("gpt-image-1", resolution.Requested);
        Assert.Equal("gpt-image-2.5-sunburst", resolution.Successor);
    }

    [Fact]
    public void An_alias_target_no_account_serves_gives_its_share_to_the_others()
    {
        var resolver = Resolver(new() { ["gpt-image-1"] = new() { ["gpt-image-9"] = 80, ["gpt-image-2.6-flare"] = 20 } });

        Assert.Equal("gpt-image-2.6-flare", resolver.Resolve("gpt-image-1", Today, 0, out _)!.Model);
        Assert.Null(resolver.Resolve("gpt-image-1", new HashSet<string>(["gpt-image-2"]), 0, out var error));
        Assert.Equal("model_not_found", error!.Code);
    }

    [Fact]
    public void The_built_in_models_in_service_today_are_the_gpt_image_2_family()
    {
        Assert.Equal(
            ["gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst", "gpt-image-2.6-flare", "gpt-image-2.6-sunburst"],
            ModelCatalogue.Current(new DateOnly(2026, 12, 1)));
        Assert.Contains("gpt-image-1.5", ModelCatalogue.Current(new DateOnly(2026, 11, 30)));
    }

    [Fact]
    public void The_aliases_key_of_the_models_section_is_not_a_model()
    {
        var catalogue = new ModelCatalogue(new Dictionary<string, ModelSpec> { [ModelCatalogue.AliasesKey] = new() });

        Assert.Null(catalogue.Find("Aliases"));
    }
}
