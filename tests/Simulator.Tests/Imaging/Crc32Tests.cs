using System.Text;
using ImageOrleans.Simulator.Imaging;
using ImageOrleans.Simulator.Tests.TestSupport;
using Xunit;

namespace ImageOrleans.Simulator.Tests.Imaging;

public sealed class Crc32Tests
{
    [Fact]
    public void MatchesTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void OfNothingIsZero() => Assert.Equal(0u, Crc32.Compute([]));

    [Fact]
    public void AppendingEqualsComputingAtOnce()
    {
        var data = Encoding.ASCII.GetBytes("IEND and some more bytes to checksum");

        Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 4)), data.AsSpan(4)));
    }

    [Fact]
    public void AgreesWithABitwiseImplementation()
    {
        var random = new Random(5);
        var data = new byte[4096];
        random.NextBytes(data);

        Assert.Equal(PngReader.BitwiseCrc32(data), Crc32.Compute(data));
    }
}
