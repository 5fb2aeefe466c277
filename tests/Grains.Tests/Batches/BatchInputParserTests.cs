using System.Text;
using ImageOrleans.Grains.Batches;

namespace ImageOrleans.Grains.Tests.Batches;

public sealed class BatchInputParserTests
{
    private const string Endpoint = "/v1/images/generations";

    private static BatchInput Parse(string content, int maxItems = 100) => BatchInputParser.Parse(Encoding.UTF8.GetBytes(content), Endpoint, maxItems);

    private static string Line(string customId, string body = "{\"prompt\":\"p\"}", string url = Endpoint, string method = "POST") =>
        $"{{\"custom_id\":\"{customId}\",\"method\":\"{method}\",\"url\":\"{url}\",\"body\":{body}}}";

    [Fact]
    public void Reads_lines_in_order_with_their_numbers_skipping_blank_lines_and_a_byte_order_mark()
    {
        var input = Parse("\uFEFF" + Line("a") + "\r\n\n" + Line("b", "{\"prompt\":\"second\",\"n\":2}") + "\n");

        Assert.True(input.IsValid);
        Assert.Equal([(1, "a"), (3, "b")], input.Lines.Select(l => (l.Line, l.CustomId)));
        Assert.Equal("{\"prompt\":\"second\",\"n\":2}", Encoding.UTF8.GetString(input.Lines[1].Body.Span));
    }

    [Fact]
    public void Names_every_bad_line_and_returns_no_items()
    {
        var input = Parse(string.Join('\n',
            Line("ok"),
            Line("ok"),
            Line("m", method: "GET"),
            Line("u", url: "/v1/chat/completions"),
            "{\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/images/generations\",\"body\":[]}",
            "{\"custom_id\":\"x\",\"custom_id\":\"y\",\"method\":\"POST\",\"url\":\"/v1/images/generations\",\"body\":{}}",
            "{\"custom_id\":\"z\",\"method\":\"POST\",\"url\":\"/v1/images/generations\",\"body\":{},\"extra\":1}",
            "[1]",
            "{\"custom_id\":\"\",\"method\":\"POST\",\"url\":\"/v1/images/generations\",\"body\":{}}"));

        Assert.False(input.IsValid);
        Assert.Empty(input.Lines);
        Assert.Equal(
            [("duplicate_custom_id", 2), ("invalid_method", 3), ("mismatched_url", 4), ("missing_body", 5), ("invalid_json_line", 6), ("invalid_request", 7), ("invalid_json_line", 8), ("missing_custom_id", 9)],
            input.Errors.Select(e => (e.Code, e.Line ?? 0)));
    }

    [Fact]
    public void An_empty_file_and_one_over_the_item_limit_are_refused()
    {
        Assert.Equal("empty_file", Assert.Single(Parse("\n\n").Errors).Code);
        Assert.Equal("too_many_requests", Assert.Single(Parse(Line("a") + "\n" + Line("b"), maxItems: 1).Errors).Code);
    }

    [Fact]
    public void The_idempotency_key_of_an_item_is_stable_per_batch_and_custom_id_and_a_valid_header_value()
    {
        var key = BatchIds.ItemIdempotencyKey("batch_0123456789abcdef01234567", "sku 42 / ünïcode");

        Assert.Equal(key, BatchIds.ItemIdempotencyKey("batch_0123456789abcdef01234567", "sku 42 / ünïcode"));
        Assert.NotEqual(key, BatchIds.ItemIdempotencyKey("batch_0123456789abcdef01234567", "sku 43"));
        Assert.NotEqual(key, BatchIds.ItemIdempotencyKey("batch_0123456789abcdef01234568", "sku 42 / ünïcode"));
        Assert.All(key, c => Assert.InRange(c, '!', '~'));
    }
}
