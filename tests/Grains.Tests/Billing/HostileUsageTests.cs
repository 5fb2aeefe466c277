using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Tests.Billing;

/// <summary>An upstream's usage figures are believed only within reason, and never credit a budget.</summary>
public sealed class HostileUsageTests
{
    private static readonly ImageRequest HighSquare = new() { Model = "gpt-image-1", Prompt = "x", Quality = "high", Size = "1024x1024" };

    [Theory]
    [InlineData("""{"output_tokens":-4160,"input_tokens":10}""", "output_tokens")]
    [InlineData("""{"output_tokens":4160,"input_tokens":-99999999}""", "text_tokens")]
    [InlineData("""{"output_tokens":4160,"input_tokens_details":{"text_tokens":10,"image_tokens":-5}}""", "image_tokens")]
    [InlineData("""{"output_tokens":1000000001}""", "output_tokens")]
    [InlineData("""{"output_tokens":99999999999999999999999}""", "output_tokens")]
    [InlineData("""{"output_tokens":-1e400}""", "output_tokens")]
    public void Negative_or_absurd_token_counts_are_clamped_logged_and_charged_at_the_published_price(string usage, string field)
    {
        var log = new ListLogger();
        var costs = new CostCalculator(new PriceTable(), log);

        var charged = costs.Actual(HighSquare, ImageUsage.Parse(usage));

        Assert.Equal(0.167m, charged);
        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains(field, entry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"output_tokens":"4160"}""")]
    [InlineData("""{"output_tokens":true}""")]
    [InlineData("""{"input_tokens_details":5,"output_tokens":null}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""42""")]
    [InlineData("""{"output_tokens":""")]
    [InlineData("""{"output_tokens":4160.7}""")]
    public void Usage_of_the_wrong_shape_falls_back_to_the_published_price_without_throwing(string usage)
    {
        var costs = new CostCalculator(new PriceTable());

        var charged = costs.Actual(HighSquare, ImageUsage.Parse(usage));

        Assert.Equal(0.167m, charged);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-100)]
    public void A_charge_is_never_negative_whatever_the_factor(double factor)
    {
        var costs = new CostCalculator(new PriceTable());

        Assert.Equal(0m, costs.Actual(HighSquare, ImageUsage.Parse("""{"output_tokens":4160}"""), (decimal)factor));
    }

    private sealed class ListLogger : ILogger<CostCalculator>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
