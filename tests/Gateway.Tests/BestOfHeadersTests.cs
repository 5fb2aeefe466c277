using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Batches;
using Microsoft.AspNetCore.Http;

namespace ImageOrleans.Gateway.Tests;

/// <summary>How the live API reads <c>x-imageorleans-best-of</c> and <c>x-imageorleans-best-k</c>.</summary>
public sealed class BestOfHeadersTests
{
    private static readonly ImageRequestInput Input = new() { Prompt = "p" };

    private static (BestOf? BestOf, string? Param, string? Code) Read(string? n, string? k, bool scorer = true, ImageRequestInput? input = null)
    {
        var headers = new HeaderDictionary();
        if (n is not null)
        {
            headers[BestOfHeaders.BestOfHeader] = n;
        }

        if (k is not null)
        {
            headers[BestOfHeaders.KeepHeader] = k;
        }

        var error = BestOfHeaders.Read(headers, input ?? Input, scorer, out var bestOf);
        return (bestOf, error?.Param, error?.Code);
    }

    [Fact]
    public void Without_the_headers_nothing_is_asked_even_without_a_scorer() => Assert.Equal((null, null, null), Read(null, null, scorer: false));

    [Theory]
    [InlineData("2", null, 2, 1)]
    [InlineData(" 10 ", "9", 10, 9)]
    [InlineData("4", "2", 4, 2)]
    public void A_valid_request_gives_candidates_and_keep(string n, string? k, int candidates, int keep) =>
        Assert.Equal((new BestOf(candidates, keep), null, null), Read(n, k));

    [Theory]
    [InlineData("0", null, "x-imageorleans-best-of")]
    [InlineData("11", null, "x-imageorleans-best-of")]
    [InlineData("-3", null, "x-imageorleans-best-of")]
    [InlineData("", null, "x-imageorleans-best-of")]
    [InlineData(null, "1", "x-imageorleans-best-of")]
    [InlineData("3", "3", "x-imageorleans-best-k")]
    [InlineData("3", "0", "x-imageorleans-best-k")]
    [InlineData("3", "one", "x-imageorleans-best-k")]
    public void A_bad_value_names_its_header(string? n, string? k, string param) => Assert.Equal((null, param, "invalid_value"), Read(n, k));

    [Fact]
    public void Without_a_configured_scorer_best_of_is_refused_with_its_own_code() =>
        Assert.Equal((null, "x-imageorleans-best-of", "scorer_not_configured"), Read("3", null, scorer: false));

    [Fact]
    public void A_streamed_request_cannot_have_best_of() =>
        Assert.Equal((null, "x-imageorleans-best-of", "unsupported_parameter"), Read("3", null, input: Input with { Stream = true }));

    [Fact]
    public void The_candidates_are_the_images_so_n_is_refused_but_one_is_fine()
    {
        Assert.Equal((null, "n", "invalid_value"), Read("3", null, input: Input with { N = 2 }));
        Assert.Equal((new BestOf(3, 1), null, null), Read("3", null, input: Input with { N = 1 }));
    }
}
