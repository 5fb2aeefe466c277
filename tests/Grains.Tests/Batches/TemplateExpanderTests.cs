using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Batches;

namespace ImageOrleans.Grains.Tests.Batches;

public sealed class TemplateExpanderTests
{
    private static readonly BatchTemplate Mug = new()
    {
        BodyJson = """{"model":"gpt-image-1","prompt":"A {colour} mug, {{studio}} light, sku {sku}","n":1}""",
        CustomIdColumn = "sku",
    };

    private static BatchInput Expand(BatchTemplate template, string variables) => TemplateExpander.Expand(template, Encoding.UTF8.GetBytes(variables), 100);

    private static string Prompt(BatchInputLine line) => JsonDocument.Parse(line.Body).RootElement.GetProperty("prompt").GetString()!;

    [Fact]
    public void Csv_rows_become_items_with_their_custom_id_column_and_every_placeholder_filled()
    {
        var input = Expand(Mug, "sku,colour\nA-1,red\n\n\"B,2\",\"deep \"\"sea\"\" blue\"\n");

        Assert.True(input.IsValid, string.Join("; ", input.Errors.Select(e => e.Message)));
        Assert.Equal([(2, "A-1"), (4, "B,2")], input.Lines.Select(l => (l.Line, l.CustomId)));
        Assert.Equal("A red mug, {studio} light, sku A-1", Prompt(input.Lines[0]));
        Assert.Equal("A deep \"sea\" blue mug, {studio} light, sku B,2", Prompt(input.Lines[1]));
        Assert.Equal(1, JsonDocument.Parse(input.Lines[0].Body).RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public void Jsonl_rows_work_alike_and_without_a_column_the_custom_id_is_the_row()
    {
        var input = Expand(Mug with { CustomIdColumn = null }, "{\"sku\":\"A-1\",\"colour\":\"red\"}\n{\"sku\":7,\"colour\":\"green\"}\n");

        Assert.Equal(["row-1", "row-2"], input.Lines.Select(l => l.CustomId));
        Assert.Equal("A green mug, {studio} light, sku 7", Prompt(input.Lines[1]));
    }

    [Fact]
    public void A_placeholder_without_a_value_is_an_error_naming_the_line_and_the_placeholder()
    {
        var input = Expand(Mug, "sku,colour\nA-1,red\nA-2,\nA-1,blue\n,grey\n");

        Assert.False(input.IsValid);
        Assert.Empty(input.Lines);
        Assert.Equal(
            [
                ("missing_placeholder_value", 3, "Line 3 of the variables file has no value for the placeholder '{colour}'."),
                ("duplicate_custom_id", 4, "Line 4 of the variables file repeats the custom_id 'A-1'."),
                ("missing_placeholder_value", 5, "Line 5 of the variables file has no value for the placeholder '{sku}'."),
                ("missing_custom_id", 5, "Line 5 of the variables file has no value in the custom_id column 'sku'."),
            ],
            input.Errors.Select(e => (e.Code, e.Line ?? 0, e.Message)));
    }

    [Fact]
    public void A_placeholder_the_variables_do_not_have_at_all_is_named_on_the_first_row()
    {
        var input = Expand(Mug, "sku,color\nA-1,red\n");

        var error = Assert.Single(input.Errors);
        Assert.Equal((2, "Line 2 of the variables file has no value for the placeholder '{colour}'."), (error.Line ?? 0, error.Message));
    }
}
