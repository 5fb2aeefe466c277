using System.Diagnostics;
using ImageOrleans.Simulator.Imaging;
using ImageOrleans.Simulator.Tests.TestSupport;
using Xunit;

namespace ImageOrleans.Simulator.Tests.Imaging;

public sealed class PngEncoderTests
{
    [Fact]
    public void RoundTripsExactPixels()
    {
        byte[] rgb =
        [
            255, 0, 0, 0, 255, 0, 0, 0, 255,
            0, 0, 0, 128, 128, 128, 255, 255, 255,
        ];

        var png = PngEncoder.EncodeRgb(rgb, 3, 2);
        var decoded = PngReader.Decode(png);

        Assert.Equal(3, decoded.Width);
        Assert.Equal(2, decoded.Height);
        Assert.Equal(rgb, decoded.Pixels);
        Assert.Equal(["IHDR", "IDAT", "IEND"], decoded.Chunks);
    }

    [Fact]
    public void EncodesASinglePixel()
    {
        var decoded = PngReader.Decode(PngEncoder.EncodeRgb([1, 2, 3], 1, 1));

        Assert.Equal([1, 2, 3], decoded.Pixels);
    }

    [Fact]
    public void RejectsPixelDataOfTheWrongLength()
    {
        Assert.Throws<ArgumentException>(() => PngEncoder.EncodeRgb(new byte[11], 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.EncodeRgb([], 0, 1));
    }

    [Fact]
    public void SyntheticImagesDecodeAtTheRequestedSize()
    {
        var png = SyntheticImage.RenderPng(SyntheticImage.Seed("a red fox", "1024x1024", 0), 64, 48);

        var decoded = PngReader.Decode(png);

        Assert.Equal(64, decoded.Width);
        Assert.Equal(48, decoded.Height);
    }

    [Fact]
    public void SyntheticImagesAreDeterministicPerPromptSizeAndIndex()
    {
        var seed = SyntheticImage.Seed("a red fox", "1024x1024", 0);

        Assert.Equal(SyntheticImage.RenderPng(seed, 64, 64), SyntheticImage.RenderPng(SyntheticImage.Seed("a red fox", "1024x1024", 0), 64, 64));
        Assert.NotEqual(seed, SyntheticImage.Seed("a red fox!", "1024x1024", 0));
        Assert.NotEqual(seed, SyntheticImage.Seed("a red fox", "1536x1024", 0));
        Assert.NotEqual(seed, SyntheticImage.Seed("a red fox", "1024x1024", 1));
        Assert.NotEqual(
            PngReader.Decode(SyntheticImage.RenderPng(seed, 64, 64)).Pixels,
            PngReader.Decode(SyntheticImage.RenderPng(SyntheticImage.Seed("a blue fox", "1024x1024", 0), 64, 64)).Pixels);
    }

    [Fact]
    public void SeedsAreStableAcrossProcesses() =>
        Assert.Equal(0x145db3ec2f7977a6UL, SyntheticImage.Seed("a cat", null, 0));

    [Fact]
    public void EncodingTheDefaultSizeTakesWellUnderAMillisecond()
    {
        var seed = SyntheticImage.Seed("benchmark", null, 0);
        for (var i = 0; i < 20; i++)
        {
            SyntheticImage.RenderPng(seed, 64, 64);
        }

        const int iterations = 200;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            SyntheticImage.RenderPng(seed + (ulong)i, 64, 64);
        }

        // About 0.1 ms in Release; the bound leaves room for Debug builds and a loaded CI machine.
        var average = stopwatch.Elapsed / iterations;
        Assert.True(average < TimeSpan.FromMilliseconds(1), $"Rendering and encoding 64x64 took {average.TotalMilliseconds:F3} ms on average.");
    }
}
