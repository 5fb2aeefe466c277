using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>Small valid PNGs for edit tests: RGB, or RGBA with a transparent hole (a mask), each with distinct pixels per seed.</summary>
public static class TestPng
{
    public static byte[] Create(int width, int height, bool alpha = false, int seed = 1)
    {
        var channels = alpha ? 4 : 3;
        var raw = new byte[height * ((width * channels) + 1)];
        for (var y = 0; y < height; y++)
        {
            var row = y * ((width * channels) + 1);
            for (var x = 0; x < width; x++)
            {
                var p = row + 1 + (x * channels);
                raw[p] = (byte)((x * 7) + seed);
                raw[p + 1] = (byte)((y * 5) + (seed * 3));
                raw[p + 2] = (byte)(x ^ y ^ seed);
                if (alpha)
                {
                    // Transparent in the middle: the part to edit.
                    raw[p + 3] = x > width / 4 && x < 3 * width / 4 && y > height / 4 && y < 3 * height / 4 ? (byte)0 : (byte)255;
                }
            }
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = alpha ? (byte)6 : (byte)2;
        Chunk(png, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(raw);
            }

            Chunk(png, "IDAT", compressed.ToArray());
        }

        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typed));
        png.Write(length);
    }
}
