using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Xunit;

namespace ImageOrleans.Simulator.Tests.TestSupport;

/// <summary>
/// An independent PNG decoder for assertions: checks the signature, every chunk's CRC (computed
/// bit by bit, not with the encoder's table) and the chunk order, then inflates the scanlines.
/// </summary>
internal static class PngReader
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static DecodedPng Decode(byte[] png)
    {
        Assert.True(png.Length > Signature.Length, "A PNG is longer than its signature.");
        Assert.Equal(Signature, png[..Signature.Length]);

        var chunks = new List<string>();
        using var idat = new MemoryStream();
        int width = 0, height = 0;
        var position = Signature.Length;
        while (position < png.Length)
        {
            Assert.True(position + 12 <= png.Length, $"Chunk header at {position} runs past the end.");
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(position));
            var type = Encoding.ASCII.GetString(png, position + 4, 4);
            Assert.True(length >= 0 && position + 12 + length <= png.Length, $"Chunk {type} at {position} runs past the end.");
            var typeAndData = png.AsSpan(position + 4, 4 + length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position + 8 + length));
            Assert.True(BitwiseCrc32(typeAndData) == storedCrc, $"Chunk {type} at {position} has a bad CRC.");

            var data = png.AsSpan(position + 8, length);
            if (type == "IHDR")
            {
                Assert.Equal(13, length);
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]); // bit depth
                Assert.Equal(2, data[9]); // truecolour
                Assert.Equal(0, data[12]); // not interlaced
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            chunks.Add(type);
            position += 12 + length;
        }

        Assert.Equal("IHDR", chunks[0]);
        Assert.Equal("IEND", chunks[^1]);
        Assert.Contains("IDAT", chunks);

        idat.Position = 0;
        using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflater.CopyTo(raw);
        var stride = (width * 3) + 1;
        Assert.Equal(stride * height, raw.Length);

        var scanlines = raw.ToArray();
        var pixels = new byte[width * 3 * height];
        Unfilter(scanlines, pixels, width * 3, height);
        return new DecodedPng(width, height, pixels, chunks);
    }

    // The five PNG filter types (spec section 9), undone row by row with 3 bytes per pixel.
    private static void Unfilter(byte[] scanlines, byte[] pixels, int stride, int height)
    {
        const int Bpp = 3;
        for (var y = 0; y < height; y++)
        {
            var filter = scanlines[y * (stride + 1)];
            for (var i = 0; i < stride; i++)
            {
                var x = scanlines[(y * (stride + 1)) + 1 + i];
                int a = i >= Bpp ? pixels[(y * stride) + i - Bpp] : 0;
                int b = y > 0 ? pixels[((y - 1) * stride) + i] : 0;
                int c = i >= Bpp && y > 0 ? pixels[((y - 1) * stride) + i - Bpp] : 0;
                var predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new Xunit.Sdk.XunitException($"Row {y} has unknown filter type {filter}."),
                };
                pixels[(y * stride) + i] = (byte)(x + predictor);
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
            }
        }

        return ~crc;
    }
}
