using System.Text;
using System.Text.Json;
using ImageOrleans.Client.Batches;

namespace ImageOrleans.Client.Tests.Batches;

public sealed class BatchInputBuilderTests
{
    private static List<JsonElement> Lines(byte[] jsonl) =>
        [.. Encoding.UTF8.GetString(jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public void A_text_file_is_one_prompt_a_line_with_the_line_number_as_custom_id_and_the_defaults_filled_in()
    {
        var (jsonl, count) = BatchInputBuilder.Build("p.txt", "a fox\r\n\n  a cat  \n", new BatchDefaults("gpt-image-1", "1024x1024", "low"));

        var lines = Lines(jsonl);
        Assert.Equal(2, count);
        Assert.Equal(["line-1", "line-3"], lines.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.All(lines, l => Assert.Equal("/v1/images/generations", l.GetProperty("url").GetString()));
        Assert.Equal("a cat", lines[1].GetProperty("body").GetProperty("prompt").GetString());
        Assert.Equal("low", lines[1].GetProperty("body").GetProperty("quality").GetString());
    }

    [Fact]
    public void A_csv_reads_quoted_cells_and_its_own_columns_over_the_defaults()
    {
        var (jsonl, _) = BatchInputBuilder.Build("c.csv", "Prompt,custom_id,quality\n\"a chair, \"\"oak\"\"\nsecond line\",sku-1,high\nplain,,\n", new BatchDefaults(Quality: "low"));

        var lines = Lines(jsonl);
        Assert.Equal(["sku-1", "row-4"], lines.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.Equal("a chair, \"oak\"\nsecond line", lines[0].GetProperty("body").GetProperty("prompt").GetString());
        Assert.Equal(["high", "low"], lines.Select(l => l.GetProperty("body").GetProperty("quality").GetString()));
    }

    [Theory]
    [InlineData("c.csv", "name\nx\n", "line 1: the CSV header has no 'prompt' column")]
    [InlineData("c.csv", "prompt,custom_id\na,x\nb,x\n", "line 3: custom_id 'x' is used twice")]
    [InlineData("c.csv", "prompt\n\"open\n", "line 2: a quoted field is not closed")]
    [InlineData("j.jsonl", "{\"custom_id\":\"a\",\"body\":{\"prompt\":\"p\"}}\n{\"custom_id\":\"\",\"body\":{\"prompt\":\"p\"}}\n", "line 2: a batch request line needs custom_id and a body with a prompt")]
    [InlineData("p.txt", "\n\n", "'p.txt' holds no requests")]
    [InlineData("p.json", "{}", "'p.json' is not .txt, .csv or .jsonl")]
    public void Mistakes_name_the_line(string name, string content, string message)
    {
        var error = Assert.Throws<FormatException>(() => BatchInputBuilder.Build(name, content, new BatchDefaults()));

        Assert.Equal(message, error.Message);
    }
}
