namespace ImageOrleans.Client.Cli;

/// <summary>Names image files after what their bytes are, not after what was asked for.</summary>
internal static class ImageFileFormat
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];

    /// <summary>The file extension, with its dot, for PNG, JPEG or WebP bytes; <c>.bin</c> for anything else.</summary>
    public static string SniffExtension(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(PngSignature))
        {
            return ".png";
        }

        if (bytes.StartsWith(JpegSignature))
        {
            return ".jpg";
        }

        // A RIFF container whose form type, after the 4-byte length, is WEBP.
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ".webp";
        }

        return ".bin";
    }
}
