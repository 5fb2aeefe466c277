using System.Text;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Upstreams;

/// <summary>The upstream's usage is read once, with its answer, into typed counts; clients get its bytes as they came.</summary>
public sealed class UsageReadingTests
{
    private const string Png = "iVBORw0KGgo=";

    [Fact]
    public void Usage_is_read_into_typed_counts_and_kept_byte_for_byte_in_the_upstreams_order()
    {
        const string Usage = """{"total_tokens":4170,"input_tokens":10,"output_tokens":4160,"input_tokens_details":{"text_tokens":10,"image_tokens":0,"cached_tokens":4},"output_tokens_details":{"image_tokens":4100,"text_tokens":60}}""";
        var body = Encoding.UTF8.GetBytes($$"""{"created":1,"data":[{"b64_json":"{{Png}}"}],"usage":{{Usage}}}""");

        Assert.True(UpstreamResponseParser.TryParseSuccess(body, out _, out _, out var usage));

        Assert.Equal(Usage, Encoding.UTF8.GetString(usage!.Json));
        Assert.Equal((10L, 4160L, 4170L), (usage.InputTokens, usage.OutputTokens, usage.TotalTokens));
        Assert.Equal((10L, 0L, 4L), (usage.InputTokensDetails!.TextTokens, usage.InputTokensDetails.ImageTokens, usage.InputTokensDetails.CachedTokens));
        Assert.Equal(60L, usage.OutputTokensDetails!.TextTokens);
        Assert.Null(usage.CachedTokensDetails);
    }

    [Fact]
    public void The_typed_usage_is_what_the_charge_is_priced_from()
    {
        var body = Encoding.UTF8.GetBytes("""{"data":[{"b64_json":"iVBORw0KGgo="}],"usage":{"input_tokens":10,"output_tokens":4160,"input_tokens_details":{"text_tokens":10,"image_tokens":0}}}""");
        Assert.True(UpstreamResponseParser.TryParseSuccess(body, out _, out _, out var usage));

        var charge = new CostCalculator(new PriceTable()).Charge(new ImageRequest { Model = "gpt-image-1", Prompt = "x", Quality = "high", Size = "1024x1024" }, usage);

        // 10 × $5/M + 4160 × $40/M, from the counts read with the answer.
        Assert.Equal(0.16645m, charge.Usd);
        Assert.Equal(CostBases.Usage, charge.Basis);
    }

    [Theory]
    [InlineData("""{"output_tokens":"4160","input_tokens_details":[1],"cached_tokens_details":7}""")]
    [InlineData("""{"output_tokens":{"a":1},"input_tokens":true,"output_tokens_details":null}""")]
    public void Counts_and_breakdowns_of_the_wrong_type_read_as_absent(string json)
    {
        var usage = ImageUsage.Parse(json);

        Assert.NotNull(usage);
        Assert.Equal((null, null, null, null, null), (usage.OutputTokens, usage.InputTokens, usage.InputTokensDetails, usage.OutputTokensDetails, usage.CachedTokensDetails));
        Assert.Equal(json, Encoding.UTF8.GetString(usage.Json));
    }
}
