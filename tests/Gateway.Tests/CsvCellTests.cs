using ImageOrleans.Silo.Api;

namespace ImageOrleans.Gateway.Tests;

/// <summary>A usage export cell never runs as a spreadsheet formula and never breaks the row.</summary>
public sealed class CsvCellTests
{
    [Theory]
    [InlineData("gpt-image-1", "gpt-image-1")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-1-1", "'-1-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("", "")]
    public void Cells_are_neutralised_and_quoted(string value, string cell) => Assert.Equal(cell, CsvCell.Of(value));
}
