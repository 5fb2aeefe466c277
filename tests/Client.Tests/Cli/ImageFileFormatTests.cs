using ImageOrleans.Client.Cli;
using ImageOrleans.Client.Tests.Testing;

namespace ImageOrleans.Client.Tests.Cli;

public sealed class ImageFileFormatTests
{
    public static TheoryData<byte[], string> Samples => new()
    {
        { TestImages.Png, ".png" },
        { TestImages.Jpeg, ".jpg" },
        { TestImages.Webp, ".webp" },
        { [.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8], ".bin" },
        { [.. "RIFF"u8, 0, 0, 0, 0, .. "WEB"u8], ".bin" },
        { [0x89, 0x50, 0x4E, 0x47], ".bin" },
        { [0xFF, 0xD8], ".bin" },
        { [], ".bin" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void ExtensionFollowsTheMagicBytes(byte[] bytes, string expected) =>
        Assert.Equal(expected, ImageFileFormat.SniffExtension(bytes));
}
