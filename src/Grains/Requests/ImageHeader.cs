using System.Buffers.Binary;

namespace ImageOrleans.Grains.Requests;

/// <summary>
/// The format, pixel size and alpha of an image from its first bytes (PNG, JPEG, WebP), read from a
/// stream without decoding: the checks an edit's parts need, in bounded memory.
/// </summary>
public sealed record ImageHeader(string Format, int Width, int Height, bool HasAlpha)
{
    public const string Png = "png";
    public const string Jpeg = "jpeg";
    public const string Webp = "webp";

    private const int MaxScan = 1 << 20;

    public string ContentType => $"image/{Format}";

    /// <summary>Reads the header of a seekable stream from its start; null when it is no PNG, JPEG or WebP this can size.</summary>
    public static ImageHeader? Read(Stream stream)
    {
        Span<byte> head = stackalloc byte[30];
        stream.Position = 0;
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (head is [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] && read >= 26)
        {
            return ReadPng(stream, head);
        }

        if (head is [0xFF, 0xD8, 0xFF, ..])
        {
            return ReadJpeg(stream);
        }

        if (head is [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] && read >= 30)
        {
            return ReadWebp(head);
        }

        return null;
    }

    private static ImageHeader? ReadPng(Stream stream, ReadOnlySpan<byte> head)
    {
        if (head[12] != 'I' || head[13] != 'H' || head[14] != 'D' || head[15] != 'R')
        {
            return null;
        }

        var width = BinaryPrimitives.ReadInt32BigEndian(head[16..]);
        var height = BinaryPrimitives.ReadInt32BigEndian(head[20..]);
        var colorType = head[25];
        var alpha = colorType is 4 or 6 || HasTransparencyChunk(stream);
        return width > 0 && height > 0 ? new ImageHeader(Png, width, height, alpha) : null;
    }

    /// <summary>A tRNS chunk before the image data gives palette or grey/RGB images transparency.</summary>
    private static bool HasTransparencyChunk(Stream stream)
    {
        Span<byte> chunk = stackalloc byte[8];
        stream.Position = 8;
        while (stream.Position < MaxScan && stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(chunk);
            var type = chunk[4..8];
            if (type.SequenceEqual("tRNS"u8))
            {
                return true;
            }

            if (type.SequenceEqual("IDAT"u8) || length > int.MaxValue)
            {
                return false;
            }

            stream.Seek(length + 4, SeekOrigin.Current);
        }

        return false;
    }

    private static ImageHeader? ReadJpeg(Stream stream)
    {
        Span<byte> segment = stackalloc byte[9];
        stream.Position = 2;
        while (stream.Position < MaxScan)
        {
            if (stream.ReadAtLeast(segment[..4], 4, throwOnEndOfStream: false) < 4 || segment[0] != 0xFF)
            {
                return null;
            }

            var marker = segment[1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(segment[2..]);

            // Start-of-frame markers (not DHT C4, JPG C8 or DAC CC) carry the frame's size.
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (stream.ReadAtLeast(segment[..5], 5, throwOnEndOfStream: false) < 5)
                {
                    return null;
                }

                var height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                var width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                return width > 0 && height > 0 ? new ImageHeader(Jpeg, width, height, HasAlpha: false) : null;
            }

            if (length < 2)
            {
                return null;
            }

            stream.Seek(length - 2, SeekOrigin.Current);
        }

        return null;
    }

    private static ImageHeader? ReadWebp(ReadOnlySpan<byte> head)
    {
        var chunk = head[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            var alpha = (head[20] & 0x10) != 0;
            var width = 1 + (head[24] | (head[25] << 8) | (head[26] << 16));
            var height = 1 + (head[27] | (head[28] << 8) | (head[29] << 16));
            return new ImageHeader(Webp, width, height, alpha);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(head[21..]);
            return new ImageHeader(Webp, (int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1, HasAlpha: ((bits >> 28) & 1) != 0);
        }

        if (chunk.SequenceEqual("VP8 "u8) && head[23] == 0x9D && head[24] == 0x01 && head[25] == 0x2A)
        {
            return new ImageHeader(Webp, BinaryPrimitives.ReadUInt16LittleEndian(head[26..]) & 0x3FFF,
                BinaryPrimitives.ReadUInt16LittleEndian(head[28..]) & 0x3FFF, HasAlpha: false);
        }

        return null;
    }
}
