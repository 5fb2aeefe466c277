using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace ImageOrleans.Simulator.Imaging;

/// <summary>
/// A minimal PNG encoder: 8-bit truecolour (RGB), no interlace, every scanline with filter type Sub.
/// Sub turns smooth gradients into runs of small repeated differences, which deflate packs to less
/// than half the size of unfiltered rows, and faster.
/// </summary>
internal static class PngEncoder
{
    private const byte BitDepth = 8;
    private const byte ColourTypeTruecolour = 2;
    private const int BytesPerPixel = 3;
    private const byte FilterSub = 1;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes tightly packed RGB pixels, row by row from the top.</summary>
    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height, CompressionLevel compression = CompressionLevel.Fastest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var stride = checked(width * BytesPerPixel);
        if (rgb.Length != checked(stride * height))
        {
            throw new ArgumentException($"Expected {stride * height} bytes of RGB data for {width}x{height}, got {rgb.Length}.", nameof(rgb));
        }

        // Scanlines as the IDAT stream wants them: a filter-type byte, then the row as differences
        // from the pixel to its left.
        var rawLength = (stride + 1) * height;
        var raw = ArrayPool<byte>.Shared.Rent(rawLength);
        try
        {
            for (var y = 0; y < height; y++)
            {
                var source = rgb.Slice(y * stride, stride);
                var target = raw.AsSpan((y * (stride + 1)) + 1, stride);
                raw[y * (stride + 1)] = FilterSub;
                source[..BytesPerPixel].CopyTo(target);
                for (var i = BytesPerPixel; i < stride; i++)
                {
                    target[i] = (byte)(source[i] - source[i - BytesPerPixel]);
                }
            }

            using var output = new MemoryStream(capacity: 128 + (rawLength / 2));
            output.Write(Signature);

            Span<byte> header = stackalloc byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, width);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
            header[8] = BitDepth;
            header[9] = ColourTypeTruecolour;
            header[10] = 0; // compression method: deflate
            header[11] = 0; // filter method: adaptive
            header[12] = 0; // interlace: none
            WriteChunk(output, "IHDR"u8, header);

            WriteCompressedChunk(output, "IDAT"u8, raw.AsSpan(0, rawLength), compression);
            WriteChunk(output, "IEND"u8, []);
            return output.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private static void WriteChunk(MemoryStream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Compute(type), data));
        output.Write(word);
    }

    // Compresses straight into the output behind a length placeholder, then patches the length,
    // so the compressed data is never copied through a second buffer.
    private static void WriteCompressedChunk(MemoryStream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data, CompressionLevel compression)
    {
        var lengthPosition = (int)output.Position;
        Span<byte> word = stackalloc byte[4];
        output.Write(word);
        output.Write(type);
        using (var zlib = new ZLibStream(output, compression, leaveOpen: true))
        {
            zlib.Write(data);
        }

        var end = (int)output.Position;
        var buffer = output.GetBuffer();
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(lengthPosition), end - lengthPosition - 8);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(buffer.AsSpan(lengthPosition + 4, end - lengthPosition - 4)));
        output.Write(word);
    }
}
