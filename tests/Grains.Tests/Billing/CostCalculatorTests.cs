using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Billing;

public sealed class CostCalculatorTests
{
    private readonly CostCalculator _costs = new(new PriceTable());

    [Theory]
    [InlineData("gpt-image-1", "low", "1024x1024", 0.011)]
    [InlineData("gpt-image-1", "medium", "1024x1024", 0.042)]
    [InlineData("gpt-image-1", "high", "1024x1024", 0.167)]
    [InlineData("gpt-image-1", "low", "1024x1536", 0.016)]
    [InlineData("gpt-image-1", "medium", "1536x1024", 0.063)]
    [InlineData("gpt-image-1", "high", "1536x1024", 0.25)]
    [InlineData("gpt-image-1-mini", "low", "1024x1024", 0.005)]
    [InlineData("dall-e-3", "standard", "1024x1024", 0.04)]
    [InlineData("dall-e-3", "hd", "1792x1024", 0.12)]
    [InlineData("dall-e-2", null, "512x512", 0.018)]
    public void Without_usage_a_request_costs_the_published_price_per_image(string model, string? quality, string size, decimal price)
    {
        var request = Request(model, quality, size, n: 2);
        Assert.Equal(2 * price, _costs.Actual(request, usage: null));
    }

    [Fact]
    public void With_usage_a_token_priced_model_is_charged_by_tokens_and_the_accounts_price_factor()
    {
        var request = Request("gpt-image-1", "high", "1024x1024");
        const string Usage = """{"total_tokens":4170,"input_tokens":10,"output_tokens":4160,"input_tokens_details":{"text_tokens":10,"image_tokens":0}}""";

        // 10 × $5/M + 4160 × $40/M
        Assert.Equal(0.16645m, _costs.Actual(request, ImageUsage.Parse(Usage)));
        Assert.Equal(0.13316m, _costs.Actual(request, ImageUsage.Parse(Usage), factor: 0.8m));
    }

    [Fact]
    public void Each_token_rate_applies_to_its_own_tokens_cached_and_output_text_included()
    {
        var request = Request("gpt-image-2.6-sunburst", "medium", "1024x1024");
        const string Usage = """
            {"input_tokens":1300,"output_tokens":1100,
             "input_tokens_details":{"text_tokens":300,"image_tokens":1000,"cached_tokens_details":{"text_tokens":100,"image_tokens":400}},
             "output_tokens_details":{"text_tokens":100,"image_tokens":1000}}
            """;

        // 200 text × $5 + 100 cached text × $1.25 + 600 image × $8 + 400 cached image × $2 + 1000 image out × $30
        // + 100 text out × $30 (no separate text-output rate published for 2.6), all per million.
        var charge = _costs.Charge(request, ImageUsage.Parse(Usage));
        Assert.Equal(0.039725m, charge.Usd);
        Assert.Equal(CostBases.Usage, charge.Basis);
    }

    [Fact]
    public void An_edit_reserves_for_the_image_input_tokens_of_every_file()
    {
        var generation = Request("gpt-image-2.6-flare", "low", "1024x1024");
        var image = new InputImage { FileId = new string('a', 32), Sha256 = "x", FileName = "a.png", ContentType = "image/png" };
        var edit = generation with { Operation = ImageOperation.Edit, Images = [image, image, image], Mask = image };

        // Four files × 6,000 tokens × $8/M on top of the generation's own worst case.
        Assert.Equal(_costs.WorstCase(generation) + 0.192m, _costs.WorstCase(edit));
    }

    [Fact]
    public void Image_input_tokens_are_not_billed_at_the_text_rate()
    {
        var request = Request("gpt-image-2.6-flare", "low", "1024x1024");
        const string Usage = """{"input_tokens":1010,"output_tokens":0,"input_tokens_details":{"text_tokens":10,"image_tokens":1000}}""";

        // 10 × $5/M + 1000 × $8/M
        Assert.Equal(0.00805m, _costs.Actual(request, ImageUsage.Parse(Usage)));
    }

    [Fact]
    public void Without_a_breakdown_the_charge_says_which_estimate_stood_in()
    {
        var request = Request("gpt-image-2.6-flare", "high", "1024x1024");

        Assert.Equal(CostBases.UsageInputAsText, _costs.Charge(request, ImageUsage.Parse("""{"input_tokens":10,"output_tokens":4160}""")).Basis);
        var estimate = _costs.Charge(request, usage: null);
        Assert.Equal($"{CostBases.PerImageEstimate} (high, 1024x1024)", estimate.Basis);
        Assert.Equal(0.133m, estimate.Usd);
    }

    [Fact]
    public void The_worst_case_covers_the_dearest_size_for_auto_and_every_prompt_token()
    {
        var auto = Request("gpt-image-1", "medium", size: null, n: 3);
        var square = Request("gpt-image-1", "medium", "1024x1024", n: 3);
        var worstAuto = _costs.WorstCase(auto);
        Assert.True(worstAuto >= 3 * 0.063m, $"auto may come out landscape: {worstAuto}");
        Assert.True(_costs.WorstCase(square) >= 3 * 0.04224m, "the token-priced square image (1056 tokens) fits the reservation");
        Assert.True(_costs.WorstCase(square) < worstAuto);

        // The dearest account sets the reservation.
        Assert.True(_costs.WorstCase(square, maxFactor: 1.5m) > 1.5m * 3 * 0.042m);
    }

    [Fact]
    public void Cheaper_qualities_are_listed_dearest_first()
    {
        Assert.Equal(["medium", "low"], _costs.CheaperQualities(Request("gpt-image-1", "high", "1024x1024")));
        Assert.Equal(["low"], _costs.CheaperQualities(Request("gpt-image-1", "medium", "1024x1024")));
        Assert.Empty(_costs.CheaperQualities(Request("gpt-image-1", "low", "1024x1024")));
        Assert.Equal(["standard"], _costs.CheaperQualities(Request("dall-e-3", "hd", "1024x1024")));
    }

    [Fact]
    public void A_flexible_size_is_priced_by_megapixel_and_an_unknown_model_costs_nothing()
    {
        var square = _costs.Actual(Request("gpt-image-2", "high", "1024x1024"), usage: null);
        var big = _costs.Actual(Request("gpt-image-2", "high", "2048x2048"), usage: null);
        Assert.Equal(0.133m, square);
        Assert.InRange(big, 4 * 0.133m - 0.001m, 4 * 0.133m + 0.001m);
        Assert.Equal(0m, _costs.Actual(Request("house-model", "high", "1024x1024"), usage: null));
    }

    [Fact]
    public void Configured_prices_replace_a_models_defaults()
    {
        var table = new PriceTable(new Dictionary<string, ModelPrice>
        {
            ["gpt-image-1"] = new() { PerImage = new(StringComparer.OrdinalIgnoreCase) { ["low"] = new() { ["1024x1024"] = 0.001m } } },
        });
        Assert.Equal(0.001m, new CostCalculator(table).Actual(Request("gpt-image-1", "low", "1024x1024"), usage: null));
    }

    private static ImageRequest Request(string model, string? quality, string? size, int n = 1) =>
        new() { Model = model, Prompt = "a lighthouse at dusk", Quality = quality, Size = size, N = n };
}
